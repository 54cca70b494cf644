/**
 * Durability for `dbPath`:
 * - `journal.log`: append-only log, one framed record (length + CRC-32 + BSON) per
 *   acknowledged write command's effects. Group commit: records from commands that arrive
 *   while a write+fsync is in flight are batched into the next single write+fsync; each
 *   command's reply waits for the fsync covering its record.
 * - `snapshot.bson`: full state, written when the log grows past `compactThresholdBytes`
 *   (temp file + fsync + rename + directory fsync), after which the log is truncated. Every
 *   record carries a sequence number; recovery skips log records already in the snapshot.
 * - `mongod.lock`: holds the owner pid so two engines cannot open the same directory.
 * Recovery ignores (and truncates) a torn or corrupt tail of the log.
 *
 * The directory is made 0700 and every file in it 0600 (also files left by an older version):
 * the log holds every document, so another local user must not be able to read it.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Document } from 'bson';
import { frameRecord, parseRecords } from './records';
import { readJournalOp } from './journal-ops';
import type { JournalOp } from './journal-ops';
import type { Logger } from '../logger';

const LOG = 'journal.log';
const SNAP = 'snapshot.bson';
const SNAP_TMP = 'snapshot.bson.tmp';
const LOCK = 'mongod.lock';

const lockedInProcess = new Set<string>();

const PRIVATE_DIR = 0o700;
const PRIVATE_FILE = 0o600;

/** Owner-only permissions on an existing path (a missing one is fine: it is created private). */
function makePrivate(target: string, mode: number): void {
  try {
    fs.chmodSync(target, mode);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // some platforms cannot fsync directories; best effort
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

interface Waiter {
  resolve: () => void;
  reject: (e: unknown) => void;
}

export interface JournalStats {
  logBytes: number;
  flushes: number;
  records: number;
  compactions: number;
}

export interface JournalOptions {
  logger: Logger;
  /** Compact (snapshot + truncate) once the log is larger than this. */
  compactThresholdBytes: number;
  /** Applies one recovered operation (snapshot first, then the log, in order). */
  replay: (op: JournalOp) => void;
  /** The whole current state as operations, read synchronously when compacting. */
  snapshot: () => Iterable<JournalOp>;
}

export class Journal {
  private readonly dir: string;
  private readonly options: JournalOptions;
  /** Sequence number of the last record written (or recovered). */
  private seq = 0;
  private file: fsp.FileHandle | undefined;
  private pending: Buffer[] = [];
  private waiters: Waiter[] = [];
  private flushing: Promise<void> | undefined;
  private failure: unknown;
  readonly stats: JournalStats = { logBytes: 0, flushes: 0, records: 0, compactions: 0 };

  private constructor(dir: string, options: JournalOptions) {
    this.dir = dir;
    this.options = options;
  }

  /** Locks `dir`, replays the snapshot + log through `options.replay`, and opens the log for appending. */
  static async open(dir: string, options: JournalOptions): Promise<Journal> {
    const abs = path.resolve(dir);
    fs.mkdirSync(abs, { recursive: true, mode: PRIVATE_DIR });
    makePrivate(abs, PRIVATE_DIR);
    for (const name of fs.readdirSync(abs)) {
      if (fs.lstatSync(path.join(abs, name)).isFile()) makePrivate(path.join(abs, name), PRIVATE_FILE);
    }
    Journal.lock(abs);
    try {
      const journal = new Journal(abs, options);
      journal.recover();
      journal.file = await fsp.open(path.join(abs, LOG), 'a', PRIVATE_FILE);
      journal.stats.logBytes = (await journal.file.stat()).size;
      fsyncDir(abs);
      return journal;
    } catch (error) {
      Journal.unlock(abs);
      throw error;
    }
  }

  private static lock(abs: string): void {
    if (lockedInProcess.has(abs)) throw new Error(`dbPath ${abs} is already in use by another engine in this process`);
    const lockPath = path.join(abs, LOCK);
    try {
      const owner = Number.parseInt(fs.readFileSync(lockPath, 'utf8').trim(), 10);
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && pidAlive(owner)) {
        throw new Error(`dbPath ${abs} is locked by running process ${owner} (${lockPath})`);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    fs.writeFileSync(lockPath, `${process.pid}\n`, { mode: PRIVATE_FILE });
    lockedInProcess.add(abs);
  }

  private static unlock(abs: string): void {
    lockedInProcess.delete(abs);
    try {
      fs.unlinkSync(path.join(abs, LOCK));
    } catch {
      // already gone
    }
  }

  private recover(): void {
    fs.rmSync(path.join(this.dir, SNAP_TMP), { force: true });
    let snapSeq = 0;
    const snapPath = path.join(this.dir, SNAP);
    if (fs.existsSync(snapPath)) {
      const parsed = parseRecords(fs.readFileSync(snapPath));
      const head = parsed.records[0];
      const tail = parsed.records[parsed.records.length - 1];
      if (parsed.problem || !head || head.snap !== 1 || !tail || tail.end !== 1) {
        throw new Error(`snapshot ${snapPath} is corrupt (${parsed.problem ?? 'missing header/trailer'}); refusing to start`);
      }
      snapSeq = Number(head.s);
      for (const record of parsed.records.slice(1, -1)) this.options.replay(readJournalOp(record));
    }
    let seq = snapSeq;
    const logPath = path.join(this.dir, LOG);
    if (fs.existsSync(logPath)) {
      const buf = fs.readFileSync(logPath);
      const parsed = parseRecords(buf);
      let applied = 0;
      for (const record of parsed.records) {
        const recordSeq = Number(record.s);
        if (recordSeq <= snapSeq) continue;
        for (const op of record.ops as Document[]) this.options.replay(readJournalOp(op));
        seq = Math.max(seq, recordSeq);
        applied++;
      }
      if (parsed.problem) {
        this.options.logger.warn(`journal: ${parsed.problem}; ignoring ${buf.length - parsed.goodLength} trailing bytes (truncating log)`);
        fs.truncateSync(logPath, parsed.goodLength);
      }
      if (applied > 0) this.options.logger.info(`recovered ${applied} log records from ${this.dir}`);
    }
    this.seq = seq;
  }

  /**
   * Frames each batch of operations as one record (numbered in order, synchronously) and queues
   * them; resolves once they are written and fsynced.
   */
  append(records: JournalOp[][]): Promise<void> {
    if (this.failure) return Promise.reject(this.failure instanceof Error ? this.failure : new Error(String(this.failure)));
    for (const ops of records) {
      this.seq += 1;
      this.pending.push(frameRecord({ s: this.seq, ops }));
    }
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      if (!this.flushing) this.flushing = this.flushLoop().finally(() => (this.flushing = undefined));
    });
  }

  private async flushLoop(): Promise<void> {
    while (this.pending.length > 0) {
      const buffers = this.pending;
      const waiters = this.waiters;
      this.pending = [];
      this.waiters = [];
      try {
        const file = this.file;
        if (!file) throw new Error('journal is closed');
        const data = buffers.length === 1 ? (buffers[0] as Buffer) : Buffer.concat(buffers);
        let offset = 0;
        while (offset < data.length) {
          const { bytesWritten } = await file.write(data, offset, data.length - offset);
          offset += bytesWritten;
        }
        await file.datasync();
        this.stats.logBytes += data.length;
        this.stats.flushes += 1;
        this.stats.records += buffers.length;
        for (const waiter of waiters) waiter.resolve();
      } catch (error) {
        this.failure = error;
        this.options.logger.warn(`journal write failed: ${(error as Error).message}`);
        for (const waiter of waiters) waiter.reject(error);
        continue;
      }
      if (this.stats.logBytes > this.options.compactThresholdBytes) {
        try {
          await this.compact();
        } catch (error) {
          this.options.logger.warn(`compaction failed (log kept): ${(error as Error).message}`);
        }
      }
    }
  }

  /** The whole state as framed snapshot records, built synchronously so that it is consistent. */
  private snapshotBuffers(): Buffer[] {
    const buffers: Buffer[] = [frameRecord({ snap: 1, s: this.seq })];
    for (const operation of this.options.snapshot()) buffers.push(frameRecord(operation));
    buffers.push(frameRecord({ end: 1, s: this.seq }));
    return buffers;
  }

  /** Writes a snapshot atomically, then truncates the log. */
  async compact(): Promise<void> {
    const file = this.file;
    if (!file) return;
    const buffers = this.snapshotBuffers();
    const tmp = path.join(this.dir, SNAP_TMP);
    const out = await fsp.open(tmp, 'w', PRIVATE_FILE);
    try {
      await out.writev(buffers);
      await out.sync();
    } finally {
      await out.close();
    }
    await fsp.rename(tmp, path.join(this.dir, SNAP));
    fsyncDir(this.dir);
    await file.truncate(0);
    await file.sync();
    this.stats.logBytes = 0;
    this.stats.compactions += 1;
  }

  async close(): Promise<void> {
    while (this.flushing) await this.flushing;
    const file = this.file;
    this.file = undefined;
    if (file) await file.close();
    Journal.unlock(this.dir);
  }
}

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
import { parseRecords } from './records';
import type { Engine } from './engine';
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
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
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

export class Journal {
  private readonly dir: string;
  private readonly logger: Logger;
  private readonly engine: Engine;
  private readonly threshold: number;
  private fh: fsp.FileHandle | undefined;
  private pending: Buffer[] = [];
  private waiters: Waiter[] = [];
  private loop: Promise<void> | undefined;
  private failed: unknown;
  readonly stats: JournalStats = { logBytes: 0, flushes: 0, records: 0, compactions: 0 };

  private constructor(dir: string, engine: Engine, logger: Logger, threshold: number) {
    this.dir = dir;
    this.engine = engine;
    this.logger = logger;
    this.threshold = threshold;
  }

  /** Locks `dir`, recovers the snapshot + log into `engine`, and opens the log for appending. */
  static async open(dir: string, engine: Engine, logger: Logger, compactThresholdBytes: number): Promise<Journal> {
    const abs = path.resolve(dir);
    fs.mkdirSync(abs, { recursive: true, mode: PRIVATE_DIR });
    makePrivate(abs, PRIVATE_DIR);
    for (const name of fs.readdirSync(abs)) {
      if (fs.lstatSync(path.join(abs, name)).isFile()) makePrivate(path.join(abs, name), PRIVATE_FILE);
    }
    Journal.lock(abs);
    try {
      const j = new Journal(abs, engine, logger, compactThresholdBytes);
      j.recover();
      j.fh = await fsp.open(path.join(abs, LOG), 'a', PRIVATE_FILE);
      j.stats.logBytes = (await j.fh.stat()).size;
      fsyncDir(abs);
      return j;
    } catch (e) {
      Journal.unlock(abs);
      throw e;
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
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
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
      for (const rec of parsed.records.slice(1, -1)) this.engine.applyOp(rec);
    }
    let seq = snapSeq;
    const logPath = path.join(this.dir, LOG);
    if (fs.existsSync(logPath)) {
      const buf = fs.readFileSync(logPath);
      const parsed = parseRecords(buf);
      let applied = 0;
      for (const rec of parsed.records) {
        const s = Number(rec.s);
        if (s <= snapSeq) continue;
        for (const op of rec.ops as unknown[]) this.engine.applyOp(op as Record<string, unknown>);
        seq = Math.max(seq, s);
        applied++;
      }
      if (parsed.problem) {
        this.logger.warn(`journal: ${parsed.problem}; ignoring ${buf.length - parsed.goodLength} trailing bytes (truncating log)`);
        fs.truncateSync(logPath, parsed.goodLength);
      }
      if (applied > 0) this.logger.info(`recovered ${applied} log records from ${this.dir}`);
    }
    this.engine.seq = seq;
  }

  /** Queues framed records; resolves once they are written and fsynced. */
  append(buffers: Buffer[]): Promise<void> {
    if (this.failed) return Promise.reject(this.failed instanceof Error ? this.failed : new Error(String(this.failed)));
    return new Promise<void>((resolve, reject) => {
      this.pending.push(...buffers);
      this.waiters.push({ resolve, reject });
      if (!this.loop) this.loop = this.flushLoop().finally(() => (this.loop = undefined));
    });
  }

  private async flushLoop(): Promise<void> {
    while (this.pending.length > 0) {
      const bufs = this.pending;
      const waiters = this.waiters;
      this.pending = [];
      this.waiters = [];
      try {
        const fh = this.fh;
        if (!fh) throw new Error('journal is closed');
        const data = bufs.length === 1 ? (bufs[0] as Buffer) : Buffer.concat(bufs);
        let off = 0;
        while (off < data.length) {
          const { bytesWritten } = await fh.write(data, off, data.length - off);
          off += bytesWritten;
        }
        await fh.datasync();
        this.stats.logBytes += data.length;
        this.stats.flushes += 1;
        this.stats.records += bufs.length;
        for (const w of waiters) w.resolve();
      } catch (e) {
        this.failed = e;
        this.logger.warn(`journal write failed: ${(e as Error).message}`);
        for (const w of waiters) w.reject(e);
        continue;
      }
      if (this.stats.logBytes > this.threshold) {
        try {
          await this.compact();
        } catch (e) {
          this.logger.warn(`compaction failed (log kept): ${(e as Error).message}`);
        }
      }
    }
  }

  /** Writes a snapshot atomically, then truncates the log. */
  async compact(): Promise<void> {
    const fh = this.fh;
    if (!fh) return;
    const { buffers } = this.engine.snapshotBuffers();
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
    await fh.truncate(0);
    await fh.sync();
    this.stats.logBytes = 0;
    this.stats.compactions += 1;
  }

  async close(): Promise<void> {
    while (this.loop) await this.loop;
    const fh = this.fh;
    this.fh = undefined;
    if (fh) await fh.close();
    Journal.unlock(this.dir);
  }
}

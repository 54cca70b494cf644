/**
 * Change-stream benchmark, through the official driver:
 *
 *   npm run bench:change-streams -w @gatehouse/embedded-mongo     (add `-- --quick` for a smoke run)
 *
 * - Latency from a write to its event reaching a `watch()` consumer: one session update
 *   (`$set`, connect-mongo's `set`) at a time, the stream opened with `fullDocument:
 *   'updateLookup'`; measured from the moment the write is issued to the 'change' event.
 * - What the change-stream machinery costs writes: connect-mongo's upsert, one at a time and 32
 *   in flight, on an engine presented standalone (no change history, no retryable writes, no
 *   cluster times: the engine as it was before change streams), as a replica set nobody
 *   watches, and as a replica set with one stream (in another process, as another instance of an
 *   application would be) reading every event.
 *
 * - The same, as the engine's own CPU time per write (in-process, no driver, no sockets), which
 *   a loaded machine disturbs much less than wall-clock latency.
 *
 * In memory and with a dbPath (where an event is visible once its write is fsynced). Each case
 * runs in a fresh process after a JIT warm-up; driver(s) and engine share that process.
 */
import { spawn, spawnSync } from 'node:child_process';
import readline from 'node:readline';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Binary, Long } from 'bson';
import { MongoClient } from 'mongodb';
import type { Collection, Document } from 'mongodb';
import { ChangeHistory } from '../src/changes/history';
import { CursorManager } from '../src/commands/cursors';
import type { ConnectionState, ServerState } from '../src/commands/context';
import { runCommand } from '../src/commands/index';
import { replicaSetState } from '../src/commands/replication';
import { RetryableWrites } from '../src/commands/retryable-writes';
import { LocalSessions } from '../src/commands/sessions';
import { start } from '../src/index';
import { pct, summarize, timeConcurrent, timeSequential } from './timing';
import type { Round } from './timing';
import { openEngine as openStorageEngine } from '../src/storage/recovery';

// --quick: a smoke run (few events and operations, one round per row) that shows the bench still works.
const QUICK = process.argv.includes('--quick');
const EVENTS = Number(process.env.BENCH_EVENTS ?? (QUICK ? 100 : 1000));
const OPS = Number(process.env.BENCH_OPS ?? (QUICK ? 100 : 1000));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 1 : 7));
const CONCURRENCY = 32;
const DOCS = 1000;

type Mode = 'memory' | 'dbPath';
type Setup = 'standalone' | 'replica set, not watched' | 'replica set, 1 stream';

interface Row {
  mode: Mode;
  what: string;
  setup: string;
  opsPerSec: number | undefined;
  p50: number;
  p99: number;
  note: string;
}

function sessionDoc(i: number): Document {
  const now = Date.now();
  return {
    _id: `s${i}`.padStart(32, '0'),
    expires: new Date(now + 14 * 24 * 3600 * 1000),
    lastModified: new Date(now),
    session: {
      cookie: { originalMaxAge: 1209600000, expires: new Date(now + 1209600000).toISOString(), secure: false, httpOnly: true, path: '/', sameSite: 'lax' },
      userId: (i % 250).toString(16).padStart(24, '0'),
      createdAt: now,
      userAgent: 'Mozilla/5.0 (X11; Linux x86_64) bench',
      ip: '127.0.0.1',
    },
  };
}

interface Target {
  client: MongoClient;
  sessions: Collection<Document>;
  close(): Promise<void>;
}

async function openEngine(mode: Mode, replicaSet: boolean): Promise<Target> {
  const dir = mode === 'dbPath' ? fs.mkdtempSync(path.join(os.tmpdir(), 'embedded-mongo-bench-cs-')) : undefined;
  const engine = await start({
    port: 0,
    dbPath: dir,
    replicaSet: replicaSet ? 'rs0' : false,
    logger: { info: () => undefined, warn: (m) => console.error(m) },
  });
  const client = new MongoClient(engine.uri, { maxPoolSize: CONCURRENCY + 4 });
  const sessions = client.db('bench').collection<Document>('sessions');
  await sessions.createIndex({ expires: 1 }, { expireAfterSeconds: 0 });
  await sessions.insertMany(Array.from({ length: DOCS }, (_, i) => sessionDoc(i)));
  return {
    client,
    sessions,
    async close() {
      await client.close();
      await engine.stop();
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function withEngine<T>(mode: Mode, replicaSet: boolean, fn: (client: MongoClient, sessions: Collection<Document>) => Promise<T>): Promise<T> {
  const t = await openEngine(mode, replicaSet);
  try {
    return await fn(t.client, t.sessions);
  } finally {
    await t.close();
  }
}

/** Write → event latency: one `$set` at a time, each waited for at the stream's consumer. */
async function latency(mode: Mode): Promise<Row[]> {
  return withEngine(mode, true, async (client, sessions) => {
    const watcher = new MongoClient(client.options.hosts.map((h) => `mongodb://${h.toString()}/`)[0] as string);
    const stream = watcher.db('bench').collection('sessions').watch([], { fullDocument: 'updateLookup' });
    const waiting = new Map<string, (t: number) => void>();
    stream.on('change', (ev: Document) => {
      const t = performance.now();
      waiting.get(String((ev.documentKey as { _id: string })._id))?.(t);
    });
    await new Promise<void>((resolve) => stream.once('resumeTokenChanged', () => resolve()));
    const eventLat: number[] = [];
    const ackLat: number[] = [];
    const one = async (i: number, record: boolean): Promise<void> => {
      const id = `s${i % DOCS}`.padStart(32, '0');
      const arrived = new Promise<number>((resolve) => waiting.set(id, resolve));
      const s = performance.now();
      await sessions.updateOne({ _id: id } as Document, { $set: { lastModified: new Date(), 'session.n': i } });
      const acked = performance.now();
      const t = await arrived;
      waiting.delete(id);
      if (record) {
        ackLat.push(acked - s);
        eventLat.push(t - s);
      }
    };
    for (let i = 0; i < 200; i++) await one(i, false);
    const rounds: Round[] = [];
    const acks: Round[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      eventLat.length = 0;
      ackLat.length = 0;
      const t0 = performance.now();
      for (let i = 0; i < EVENTS; i++) await one(r * EVENTS + i, true);
      const wall = performance.now() - t0;
      eventLat.sort((a, b) => a - b);
      ackLat.sort((a, b) => a - b);
      rounds.push({ opsPerSec: (EVENTS / wall) * 1000, p50: pct(eventLat, 50), p99: pct(eventLat, 99) });
      acks.push({ opsPerSec: 0, p50: pct(ackLat, 50), p99: pct(ackLat, 99) });
    }
    await stream.close();
    await watcher.close();
    const ev = summarize(rounds);
    const ack = summarize(acks);
    return [
      {
        mode,
        what: `write → event at watch() (${EVENTS} updates, updateLookup)`,
        setup: 'replica set, 1 stream',
        opsPerSec: undefined,
        p50: ev.p50,
        p99: ev.p99,
        note: `the write's own ack: p50 ${ack.p50.toFixed(3)} / p99 ${ack.p99.toFixed(3)} ms`,
      },
    ];
  });
}

/**
 * What writes cost with no change history, with one nobody reads, and with one stream reading
 * it. The three engines run side by side in one process and are measured in alternation, round
 * after round, so that they share whatever else the machine is doing.
 */
async function writeCost(mode: Mode): Promise<Row[]> {
  const setups: Setup[] = ['standalone', 'replica set, not watched', 'replica set, 1 stream'];
  const targets = new Map<Setup, Target>();
  for (const setup of setups) targets.set(setup, await openEngine(mode, setup !== 'standalone'));
  const watched = targets.get('replica set, 1 stream') as Target;
  // The watcher is another process, as another instance of an application would be: its own
  // driver work is not charged to the writes, only the engine's and the competition for CPU.
  const watcher = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--watch', watched.client.options.hosts.map((h) => `mongodb://${h.toString()}/`)[0] as string],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const lines = readline.createInterface({ input: watcher.stdout as NodeJS.ReadableStream });
  const nextLine = (): Promise<string> => new Promise((resolve) => lines.once('line', resolve));
  if ((await nextLine()) !== 'ready') throw new Error('watcher did not start');
  try {
    const upsert = (t: Target, i: number): Promise<unknown> => {
      const d = sessionDoc(i % (2 * DOCS));
      return t.sessions.updateOne({ _id: d._id } as Document, { $set: d }, { upsert: true });
    };
    for (const t of targets.values()) for (let i = 0; i < 300; i++) await upsert(t, i);
    const seq = new Map<Setup, Round[]>(setups.map((x) => [x, []]));
    const par = new Map<Setup, Round[]>(setups.map((x) => [x, []]));
    for (let r = 0; r < ROUNDS; r++) {
      // Rotate the order so that no setup always runs first (or right after another).
      for (let k = 0; k < setups.length; k++) {
        const setup = setups[(r + k) % setups.length] as Setup;
        const t = targets.get(setup) as Target;
        seq.get(setup)?.push(await timeSequential(OPS, (i) => upsert(t, r * OPS + i)));
        par.get(setup)?.push(await timeConcurrent(OPS * 2, CONCURRENCY, (i) => upsert(t, i + r)));
      }
    }
    // Events arrive in order: once a last write's event is in, every earlier one was consumed.
    const seenLine = nextLine();
    await watched.sessions.updateOne({ _id: 'marker' } as Document, { $set: { at: new Date() } }, { upsert: true });
    const seen = Number((await seenLine).replace('seen ', ''));
    const writes = 300 + ROUNDS * OPS * 3;
    const rows: Row[] = [];
    for (const setup of setups) {
      const a = summarize(seq.get(setup) ?? []);
      const b = summarize(par.get(setup) ?? []);
      // (Fewer events than writes: an upsert that rewrote identical values changed nothing.)
      const note =
        setup === 'replica set, 1 stream' ? `${(seen - 1).toLocaleString('en-US')} events consumed for ${writes.toLocaleString('en-US')} writes` : '';
      rows.push({ mode, what: 'upsert by _id', setup, opsPerSec: a.opsPerSec, p50: a.p50, p99: a.p99, note });
      rows.push({ mode, what: `upsert x${CONCURRENCY}`, setup, opsPerSec: b.opsPerSec, p50: b.p50, p99: b.p99, note: '' });
    }
    return rows;
  } finally {
    watcher.kill();
    for (const t of targets.values()) await t.close();
  }
}

/** The watching process of the write-cost case: reads every event, says how many at the marker. */
async function watchMain(uri: string): Promise<void> {
  const client = new MongoClient(uri);
  const stream = client.db('bench').collection('sessions').watch([], { fullDocument: 'updateLookup' });
  let seen = 0;
  stream.on('change', (ev: Document) => {
    seen += 1;
    if ((ev.documentKey as { _id: unknown })._id === 'marker') process.stdout.write(`seen ${seen}\n`);
  });
  await new Promise<void>((resolve) => stream.once('resumeTokenChanged', () => resolve()));
  process.stdout.write('ready\n');
  await new Promise(() => undefined);
}

/**
 * The engine's own CPU time per write, without driver or sockets: connect-mongo's upsert run
 * through the engine's command dispatcher in-process, on the three setups in alternation. On a
 * shared machine this is the steady measure of what recording changes costs a write; the driver
 * rows above show the same thing end to end, with more noise.
 */
async function engineCpu(mode: Mode): Promise<Row[]> {
  const quiet = { info: () => undefined, warn: (m: string) => console.error(m) };
  const setups: { name: string; replicaSet: boolean; retryable: boolean }[] = [
    { name: 'standalone', replicaSet: false, retryable: false },
    { name: 'replica set, not watched', replicaSet: true, retryable: false },
    { name: 'replica set, not watched, retryable write', replicaSet: true, retryable: true },
  ];
  const dirs: string[] = [];
  const contexts = await Promise.all(
    setups.map(async (x) => {
      let dbPath: string | undefined;
      if (mode === 'dbPath') {
        dbPath = fs.mkdtempSync(path.join(os.tmpdir(), 'embedded-mongo-bench-cs-'));
        dirs.push(dbPath);
      }
      const engine = await openStorageEngine({ history: new ChangeHistory(x.replicaSet), logger: quiet, dbPath, compactThresholdBytes: 64 * 1024 * 1024 });
      const server: ServerState = {
        engine,
        cursors: new CursorManager(),
        logger: quiet,
        users: new Map(),
        startedAt: new Date(),
        port: 0,
        maxIncomingConnections: 10,
        maxMessageSizeBytes: 48_000_000,
        replicaSet: x.replicaSet ? replicaSetState('rs0', '127.0.0.1:0', engine.history) : undefined,
        retryableWrites: new RetryableWrites(),
        sessions: new LocalSessions(),
      };
      const conn: ConnectionState = {
        id: 1,
        remote: 'bench',
        user: undefined,
        sasl: undefined,
        client: undefined,
        closed: new AbortController().signal,
        local: '127.0.0.1:0',
      };
      return { ...x, ctx: { server, conn, db: 'bench' } };
    }),
  );
  const lsid = { id: new Binary(Buffer.alloc(16, 7), 4) };
  let txn = 0;
  const command = (i: number, retryable: boolean): Document => {
    const d = sessionDoc(i % (2 * DOCS));
    return {
      update: 'sessions',
      updates: [{ q: { _id: d._id }, u: { $set: d }, upsert: true }],
      ordered: true,
      lsid,
      ...(retryable ? { txnNumber: Long.fromNumber(++txn) } : {}),
      $db: 'bench',
    };
  };
  const n = OPS * 5;
  const round = async (c: (typeof contexts)[number]): Promise<number> => {
    const before = process.cpuUsage();
    for (let i = 0; i < n; i++) await runCommand(command(i, c.retryable), c.ctx);
    const used = process.cpuUsage(before);
    return (used.user + used.system) / n;
  };
  for (const c of contexts) for (let w = 0; w < 3; w++) await round(c);
  const results = new Map<string, number[]>(contexts.map((c) => [c.name, []]));
  for (let r = 0; r < ROUNDS * 2; r++)
    for (let k = 0; k < contexts.length; k++) {
      const c = contexts[(r + k) % contexts.length] as (typeof contexts)[number];
      results.get(c.name)?.push(await round(c));
    }
  for (const c of contexts) {
    c.ctx.server.cursors.close();
    await c.ctx.server.engine.close();
  }
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
  const base = median(results.get('standalone') ?? []);
  return contexts.map((c) => {
    const us = median(results.get(c.name) ?? []);
    return {
      mode,
      what: 'engine CPU per upsert (µs)',
      setup: c.name,
      opsPerSec: undefined,
      p50: us / 1000,
      p99: us / 1000,
      note: `${us.toFixed(1)} µs${c.name === 'standalone' ? '' : ` (${us >= base ? '+' : '−'}${Math.abs(us - base).toFixed(1)})`}`,
    };
  });
}

async function childMain(spec: string): Promise<void> {
  const [mode, kind] = spec.split(':') as [Mode, string];
  await latency('memory'); // JIT warm-up, discarded
  const rows = kind === 'latency' ? await latency(mode) : kind === 'engine' ? await engineCpu(mode) : await writeCost(mode);
  process.stdout.write(JSON.stringify(rows) + '\n');
}

async function main(): Promise<void> {
  const started = Date.now();
  const rows: Row[] = [];
  const kinds = ['latency', 'writes', 'engine'];
  for (const mode of ['memory', 'dbPath'] as const) {
    // The engine-CPU case runs in memory only: with a dbPath the three setups do the same journal
    // work, whose system time (write + fdatasync) would only add noise to the difference.
    for (const kind of mode === 'dbPath' ? kinds.filter((k) => k !== 'engine') : kinds) {
      console.error(`[bench] ${mode}: ${kind}...`);
      const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--case', `${mode}:${kind}`, ...(QUICK ? ['--quick'] : [])], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
        maxBuffer: 16 * 1024 * 1024,
      });
      if (r.status !== 0) throw new Error(`bench case ${mode}:${kind} failed (${String(r.status)})`);
      rows.push(...(JSON.parse(r.stdout.trim().split('\n').pop() ?? '[]') as Row[]));
    }
  }
  const f = (x: number): string => x.toFixed(3);
  const lines: string[] = [];
  lines.push(
    `Node ${process.version}, ${os.cpus().length} cores, ${os.platform()}; ${ROUNDS} rounds per row (latency: ${EVENTS} events each; upsert: ${OPS} ops each; upsert x${CONCURRENCY}: ${OPS * 2} ops each), the three engines of a mode measured in alternation; p50/p99 = median round, ops/s = best round; load average at start ${os.loadavg()[0]?.toFixed(1)}; driver(s) and engine(s) in one process, a fresh process per case.`,
  );
  lines.push('');
  lines.push('| mode | measured | engine | ops/s | p50 ms | p99 ms | note |');
  lines.push('|---|---|---|---:|---:|---:|---|');
  for (const r of rows.filter((x) => !x.what.startsWith('engine CPU'))) {
    lines.push(
      `| ${r.mode} | ${r.what} | ${r.setup} | ${r.opsPerSec === undefined ? '' : Math.round(r.opsPerSec).toLocaleString('en-US')} | ${f(r.p50)} | ${f(r.p99)} | ${r.note} |`,
    );
  }
  lines.push('');
  lines.push('Engine CPU time per connect-mongo upsert, in-process (no driver, no sockets), median of alternating rounds:');
  lines.push('');
  lines.push('| mode | engine | CPU per upsert |');
  lines.push('|---|---|---|');
  for (const r of rows.filter((x) => x.what.startsWith('engine CPU'))) lines.push(`| ${r.mode} | ${r.setup} | ${r.note} |`);
  lines.push('');
  lines.push('Cost relative to the standalone engine (p50 ratio; ops/s ratio):');
  lines.push('');
  lines.push('| mode | operation | engine | p50 ratio | ops/s ratio |');
  lines.push('|---|---|---|---:|---:|');
  for (const r of rows.filter((x) => x.setup !== 'standalone' && x.opsPerSec !== undefined)) {
    const base = rows.find((x) => x.mode === r.mode && x.what === r.what && x.setup === 'standalone');
    if (!base || base.opsPerSec === undefined || r.opsPerSec === undefined) continue;
    lines.push(`| ${r.mode} | ${r.what} | ${r.setup} | ${(r.p50 / base.p50).toFixed(2)} | ${(r.opsPerSec / base.opsPerSec).toFixed(2)} |`);
  }
  lines.push('');
  lines.push(`Total bench time: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(lines.join('\n'));
}

const caseIdx = process.argv.indexOf('--case');
const watchIdx = process.argv.indexOf('--watch');
(watchIdx >= 0 ? watchMain(process.argv[watchIdx + 1] ?? '') : caseIdx >= 0 ? childMain(process.argv[caseIdx + 1] ?? '') : main()).catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});

/**
 * Activity export in constant memory (S47): one account's trail of 10,000 and then 100,000 entries is
 * exported through GET /api/activity/export (NDJSON and CSV) by the API running in this process, the
 * engine in its own; the growth of the heap (every 10 ms), of the live heap (after a full collection,
 * every second) and of RSS over the level before each export is reported.
 * Flat figures from 10k to 100k mean the export streams instead of loading the trail.
 *
 *   npx tsx bench/activity-export.ts          (or as part of `npm run bench`)
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { mongo } from 'mongoose';
import type { Connection } from 'mongoose';
import { createApp } from '../src/app';
import { hashPassword } from '../src/auth/passwords';
import { loadConfig } from '../src/config';
import { connectDatabase } from '../src/db/connection';
import { createLogger } from '../src/http/logging';
import { ACTIVITY_COLLECTION } from '../src/activity/activity-log';
import { GENESIS_HASH, sealEntry } from '../src/activity/chain';
import type { ActivityDoc, ActivityFacts } from '../src/activity/chain';
import { getUserModel } from '../src/users/user-model';
import { ENGINE_CLI, REPO_ROOT, SERVER_CORE, firstLine, spawnNode, stop } from './processes';
import { log } from './measure';

const SIZES = [10_000, 100_000] as const;
const INSERT_BATCH = 5_000;
const SAMPLE_MS = 10;
/** How often the live heap (what a full collection leaves) is taken. */
const LIVE_SAMPLE_MS = 1000;
const PASSWORD = 'correct horse battery staple';

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

export interface ExportFigures {
  entries: number;
  format: 'ndjson' | 'csv';
  bytes: number;
  lines: number;
  seconds: number;
  /** Peak heap in use over the level before, garbage included (it depends on when V8 collects). */
  heapGrowthMiB: number;
  /** Peak of what survives a full collection, over the level before: what the export holds. */
  liveHeapGrowthMiB: number;
  rssGrowthMiB: number;
}

/** Continues the chain from its head with `count` entries for `userId`, as `record` would have written them. */
async function appendEntries(connection: Connection, userId: string, count: number): Promise<void> {
  const collection = connection.collection<ActivityDoc>(ACTIVITY_COLLECTION);
  const head = await collection
    .find({ seq: { $exists: true } })
    .sort({ seq: -1 })
    .limit(1)
    .next();
  let link =
    head?.seq !== undefined && head.hash ? { seq: head.seq + 1, prevHash: head.hash, prevAt: head.at } : { seq: 1, prevHash: GENESIS_HASH, prevAt: null };
  for (let done = 0; done < count; done += INSERT_BATCH) {
    const batch: ActivityDoc[] = [];
    for (let index = 0; index < Math.min(INSERT_BATCH, count - done); index += 1) {
      const facts: ActivityFacts = {
        type: index % 3 ? 'sign_in' : 'sign_out',
        at: new Date(Math.max(Date.now(), link.prevAt?.getTime() ?? 0)),
        actor: 'self',
        isSuspicious: false,
      };
      const personal = { userId, ip: `198.51.100.${index % 250}`, device: { browser: 'Firefox', os: 'Linux', platform: 'desktop' } };
      const sealed = sealEntry(facts, personal, link);
      batch.push({ _id: new mongo.ObjectId(), ...facts, ...personal, ...sealed });
      link = { seq: link.seq + 1, prevHash: sealed.hash, prevAt: facts.at };
    }
    await collection.insertMany(batch);
  }
}

async function measureExport(baseUrl: string, cookie: string, entries: number, format: 'ndjson' | 'csv'): Promise<ExportFigures> {
  collectGarbage();
  const before = process.memoryUsage();
  let peakHeap = before.heapUsed;
  let peakRss = before.rss;
  const sampler = setInterval(() => {
    const now = process.memoryUsage();
    peakHeap = Math.max(peakHeap, now.heapUsed);
    peakRss = Math.max(peakRss, now.rss);
  }, SAMPLE_MS);
  let peakLiveHeap = before.heapUsed;
  const liveSampler = setInterval(() => {
    collectGarbage();
    peakLiveHeap = Math.max(peakLiveHeap, process.memoryUsage().heapUsed);
  }, LIVE_SAMPLE_MS);
  const started = performance.now();
  let bytes = 0;
  let lines = 0;
  try {
    const res = await fetch(`${baseUrl}/api/activity/export?format=${format}`, { headers: { Cookie: cookie } });
    if (res.status !== 200 || !res.body) throw new Error(`export answered ${res.status}`);
    // Read and dropped chunk by chunk, as a browser saving a download does.
    for await (const chunk of res.body) {
      bytes += chunk.length;
      for (const byte of chunk) if (byte === 10) lines += 1;
    }
  } finally {
    clearInterval(sampler);
    clearInterval(liveSampler);
  }
  const mib = (value: number) => value / 1024 / 1024;
  return {
    entries,
    format,
    bytes,
    lines,
    seconds: (performance.now() - started) / 1000,
    heapGrowthMiB: mib(peakHeap - before.heapUsed),
    liveHeapGrowthMiB: mib(peakLiveHeap - before.heapUsed),
    rssGrowthMiB: mib(peakRss - before.rss),
  };
}

export async function benchActivityExport(): Promise<{ figures: ExportFigures[]; report: string }> {
  const work = mkdtempSync(join(tmpdir(), 'gatehouse-bench-export-'));
  const engine = spawnNode(SERVER_CORE, [ENGINE_CLI, '--port', '0'], { cwd: REPO_ROOT });
  const engineUri = (JSON.parse(await firstLine(engine)) as { uri: string }).uri;
  const config = loadConfig(
    {
      NODE_ENV: 'test',
      PORT: '0',
      PWNED_PASSWORDS: 'off',
      DATA_DIR: work,
      SESSION_SECRETS: randomBytes(32).toString('base64url'),
      TOTP_ENCRYPTION_KEYS: randomBytes(32).toString('base64'),
      WEB_DIST_DIR: join(work, 'no-web'),
      LOG_LEVEL: 'warn',
    },
    { isTerminal: false },
  );
  const connection = await connectDatabase({ uri: `${engineUri}gatehouse_export_bench`, timeoutMs: 5000 });
  const { app, services } = createApp({ config, connection, logger: createLogger({ level: 'warn' }) });
  await services.ensureIndexes();
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const figures: ExportFigures[] = [];
  try {
    const email = `export-${randomBytes(4).toString('hex')}@example.com`;
    const user = await getUserModel(connection).create({
      name: 'Export Bench',
      email,
      passwordHash: await hashPassword(PASSWORD, config.passwordHashing),
      role: 'user',
      disabledAt: null,
      emailVerifiedAt: new Date(),
      accountVersion: 0,
    });
    const login = await fetch(`${baseUrl}/api/auth/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, password: PASSWORD }),
    });
    const cookie = login.headers
      .getSetCookie()
      .find((value) => value.startsWith(`${config.cookieName}=`))
      ?.split(';')[0];
    if (!cookie) throw new Error(`sign-in answered ${login.status} without a session cookie`);

    let stored = await connection.collection(ACTIVITY_COLLECTION).countDocuments({ userId: user._id.toString() });
    for (const size of SIZES) {
      log(`activity export: ${size} entries`);
      await appendEntries(connection, user._id.toString(), size - stored);
      stored = size;
      for (const format of ['ndjson', 'csv'] as const) figures.push(await measureExport(baseUrl, cookie, size, format));
    }
  } finally {
    services.live.closeAll();
    await new Promise((resolve) => server.close(resolve));
    await services.close();
    await connection.close();
    await stop(engine);
    rmSync(work, { recursive: true, force: true });
  }
  const lines = [
    'Activity export (GET /api/activity/export of one account, API and a client reading the download in the bench process, engine in its own): growth over the level before each export of the heap in use (garbage included, every 10 ms), of the live heap (after a full collection, every second) and of RSS:',
    '',
    '| entries | format | MiB sent | lines | s | entries/s | peak heap growth MiB | peak live heap growth MiB | peak RSS growth MiB |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|',
    ...figures.map(
      (f) =>
        `| ${f.entries} | ${f.format} | ${(f.bytes / 1024 / 1024).toFixed(1)} | ${f.lines} | ${f.seconds.toFixed(1)} | ${Math.round(f.entries / f.seconds)} | ${f.heapGrowthMiB.toFixed(1)} | ${f.liveHeapGrowthMiB.toFixed(1)} | ${f.rssGrowthMiB.toFixed(1)} |`,
    ),
    '',
  ];
  return { figures, report: lines.join('\n') };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchActivityExport()
    .then(({ report }) => process.stdout.write(`${report}\n`))
    .catch((error: unknown) => {
      process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    });
}

/**
 * What one authenticated `GET /api/auth/me` allocates: Gatehouse with SESSION_CACHE=coherent (no
 * database work on the request) against the baseline app (express-session + MemoryStore,
 * bench/baseline-app.ts), each in a process of its own, requests handed in-process (real
 * IncomingMessage/ServerResponse, no socket: bench/in-process.ts). V8's sampling heap profiler,
 * with the objects minor and major collections freed included, over 10,000 requests after 10,000 to
 * warm up: every byte a request allocates, garbage included, which the collector then pays for.
 * `tsx bench/allocations.ts [--quick]`; `npm run bench` runs it as a section.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import type { Express } from 'express';
import { inProcessGet } from './in-process';
import { firstLine, SERVER_CORE, spawnNode } from './processes';
import { isEntryPoint, runAlone } from './section';
import type { BenchSection, SectionOptions } from './section';

interface Allocations {
  app: string;
  bytesPerRequest: number;
  /** The functions that allocated most, bytes per request. */
  top: { where: string; bytes: number }[];
}

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  id: number;
  children: ProfileNode[];
}

const APPS = { gatehouse: 'Gatehouse, SESSION_CACHE=coherent', baseline: 'express-session + MemoryStore (the baseline app)' } as const;
type AppName = keyof typeof APPS;

/** Signs in over a real socket once, so the session is shaped as production's; returns the cookie. */
async function signInOnce(app: Express, signIn: (baseUrl: string) => Promise<string>): Promise<string> {
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  try {
    return await signIn(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`);
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

async function buildApp(name: AppName, work: string): Promise<{ app: Express; cookie: string }> {
  if (name === 'baseline') {
    const { createBaselineApp } = await import('./baseline-app');
    const app = await createBaselineApp('memory');
    const cookie = await signInOnce(app, async (baseUrl) => {
      const res = await fetch(`${baseUrl}/api/auth/login`, { method: 'POST' });
      return res.headers.getSetCookie()[0]?.split(';')[0] ?? '';
    });
    return { app, cookie };
  }
  const { start } = await import('@gatehouse/embedded-mongo');
  const { createApp } = await import('../src/app');
  const { loadConfig } = await import('../src/config');
  const { connectDatabase } = await import('../src/db/connection');
  const { batchedDestination, createLogger } = await import('../src/http/logging');
  const { register, signIn } = await import('./gatehouse-process');
  const engine = await start({ dbPath: join(work, 'db'), logger: { info: () => {}, warn: () => {} } });
  const uri = `${engine.uri}gatehouse`;
  const config = loadConfig({
    NODE_ENV: 'production',
    PWNED_PASSWORDS: 'off',
    DATA_DIR: work,
    SESSION_SECRETS: randomBytes(32).toString('base64url'),
    TOTP_ENCRYPTION_KEYS: randomBytes(32).toString('base64'),
    TRUST_PROXY: 'loopback',
    MONGODB_URI: uri,
    SESSION_CACHE: 'coherent',
  });
  const connection = await connectDatabase({ uri, timeoutMs: config.dbTimeoutMs });
  // Request logs go to a file in batches, as production writes them.
  const logger = createLogger({ level: 'info', destination: batchedDestination(join(work, 'requests.log')) });
  const { app, services } = createApp({ config, connection, logger });
  await services.ensureIndexes();
  if ((await services.registry.sessionCacheDecision()).serving !== 'coherent') throw new Error('the coherent cache did not start');
  const email = `allocations-${randomBytes(4).toString('hex')}@example.com`;
  const cookie = await signInOnce(app, async (baseUrl) => {
    await register(baseUrl, email, 'Allocations');
    return signIn(baseUrl, email);
  });
  return { app, cookie };
}

/** In the child process: the app named, warmed up, then profiled. */
async function measure(name: AppName, count: number): Promise<Allocations> {
  const work = mkdtempSync(join(tmpdir(), 'gatehouse-allocations-'));
  try {
    const { app, cookie } = await buildApp(name, work);
    const headers = { host: '127.0.0.1:3000', cookie, 'x-forwarded-proto': 'https', 'user-agent': 'autocannon', connection: 'keep-alive' };
    const request = inProcessGet(app, '/api/auth/me', headers);
    const run = async (requests: number) => {
      for (let index = 1; index <= requests; index += 1) {
        await request();
        // Let timers and socket reads run now and then, as between a server's requests: the change feed
        // that keeps the coherent cache trusted is read there.
        if (index % 100 === 0) await yieldToEventLoop();
      }
    };
    await run(count);
    const inspector = new Session();
    inspector.connect();
    await inspector.post('HeapProfiler.enable');
    // Node's typings predate the two `include…` flags and the profile's `samples`.
    const sampling: object = { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true };
    await inspector.post('HeapProfiler.startSampling', sampling);
    await run(count);
    const { profile } = (await inspector.post('HeapProfiler.stopSampling')) as unknown as {
      profile: { head: ProfileNode; samples: { size: number; nodeId: number }[] };
    };
    const byNode = new Map<number, number>();
    for (const sample of profile.samples) byNode.set(sample.nodeId, (byNode.get(sample.nodeId) ?? 0) + sample.size);
    const byFunction = new Map<string, number>();
    const walk = (node: ProfileNode) => {
      const { functionName, url, lineNumber } = node.callFrame;
      const where = `${functionName || '(anonymous)'} ${url.replace(/^.*node_modules\//, '').replace(/^.*\/apps\/api\//, '')}:${lineNumber + 1}`;
      byFunction.set(where, (byFunction.get(where) ?? 0) + (byNode.get(node.id) ?? 0));
      for (const child of node.children) walk(child);
    };
    walk(profile.head);
    const total = [...byFunction.values()].reduce((sum, bytes) => sum + bytes, 0);
    const top = [...byFunction]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 8)
      .map(([where, bytes]) => ({ where, bytes: bytes / count }));
    return { app: APPS[name], bytesPerRequest: total / count, top };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export const allocations: BenchSection = {
  name: 'what a request allocates (bench/allocations.ts)',
  async run({ quick }: SectionOptions): Promise<string> {
    const count = quick ? 2000 : 10_000;
    const results: Allocations[] = [];
    for (const name of Object.keys(APPS) as AppName[]) {
      const child = spawnNode(SERVER_CORE, ['bench/allocations.ts', `--app=${name}`, `--count=${count}`]);
      results.push(JSON.parse(await firstLine(child, 300_000)) as Allocations);
    }
    const kb = (bytes: number) => (bytes / 1024).toFixed(1);
    return [
      `## What a request allocates (GET /api/auth/me, in-process, ${count} requests, sampling heap profiler with collected objects)`,
      '',
      '| app | KB per request | allocated most (bytes per request) |',
      '|---|---:|---|',
      ...results.map(
        (result) => `| ${result.app} | ${kb(result.bytesPerRequest)} | ${result.top.map((entry) => `${entry.where} ${entry.bytes.toFixed(0)}`).join('; ')} |`,
      ),
    ].join('\n');
  },
};

const appArg = process.argv.find((arg) => arg.startsWith('--app='))?.slice('--app='.length);
if (appArg === 'gatehouse' || appArg === 'baseline') {
  const count = Number(process.argv.find((arg) => arg.startsWith('--count='))?.slice('--count='.length) ?? 10_000);
  const result = await measure(appArg, count);
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
} else if (isEntryPoint(import.meta.url)) runAlone(allocations);

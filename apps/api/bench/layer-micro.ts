/**
 * CPU per request of each of Gatehouse's own middleware layers, in isolation, each app in a process of its own:
 * `npm run bench:layers -w @gatehouse/api -- --micro` (docs/performance.md, "Per-layer cost").
 *
 * Each layer is mounted alone in an Express app, where app.ts mounts it (on the app, or in the router
 * mounted at /api), and handed a GET /api/auth/me
 * shaped like the benchmark's (real IncomingMessage/ServerResponse objects, no socket); the cost is the
 * CPU time per request of that app minus the same app without the layer, the two measured in
 * alternating processes several times over. The response's `finish` and `close` are emitted by hand, so work done then (the request log line,
 * written to a file in batches as in production) counts. Nothing here touches the network or the database, so the
 * figures do not move with the load the shared machine is under as much as the load tests do.
 *
 * `--strict-path`: where an authenticated GET's time goes in strict mode, in one process with the
 * engine in it (as `npm start`): the real app (createApp) in strict and in coherent mode, requests
 * handed to it as above (no client socket) while its session read goes over the driver to the engine
 * as in production; then the read's parts alone: a driver round trip (`ping`), the session `findOne`
 * as the store sends it, and the store's whole `get`. Every figure is CPU µs per request
 * (process.cpuUsage), rounds interleaved, median and minimum over rounds.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import type { Express, RequestHandler } from 'express';
import { loadConfig } from '../src/config';
import { jsonBody } from '../src/http/body';
import { createCors } from '../src/http/cors';
import { createCrossSiteGuard } from '../src/http/cross-site';
import { batchedDestination, createLogger, createRequestLogger } from '../src/http/logging';
import { createApiSecurityHeaders } from '../src/http/security-headers';
import { handleOf, inProcessGet } from './in-process';
import { median } from './measure';

const ITERATIONS = 10_000;
const PAIRS = Number(process.env.PAIRS ?? 3);

const work = mkdtempSync(join(tmpdir(), 'gatehouse-layer-micro-'));
const config = loadConfig({
  NODE_ENV: 'production',
  PWNED_PASSWORDS: 'off',
  SESSION_SECRETS: 'x'.repeat(40),
  TOTP_ENCRYPTION_KEYS: Buffer.alloc(32, 1).toString('base64'),
  MONGODB_URI: 'mongodb://127.0.0.1/none',
  DATA_DIR: work,
  TRUST_PROXY: 'loopback',
});
// The destination production uses (batched writes, http/logging.ts).
const logger = createLogger({ level: 'info', destination: batchedDestination(join(work, 'requests.log')) });
const socket = new Socket();
const HEADERS = {
  host: '127.0.0.1:3000',
  cookie: '__Host-gh.sid=s%3AZherGNonrpa0bUssfF2R5_Q-tXuR8faJ.yIw1PACCTRSk111g79HuOzrr9KwUSsUUBD4NS%2BoDp3c',
  'x-forwarded-proto': 'https',
  'user-agent': 'autocannon',
  connection: 'keep-alive',
};

/** An app shaped as app.ts builds it: `onApp` on the app itself, `inApi` in the one router mounted at /api. */
function appWith({ onApp = [], inApi = [] }: { onApp?: RequestHandler[]; inApi?: RequestHandler[] }): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('query parser', 'simple');
  for (const layer of onApp) app.use(layer);
  const api = express.Router();
  app.use('/api', api);
  for (const layer of inApi) api.use(layer);
  return app;
}

/** Runs `count` requests through the app and returns the CPU microseconds per request. */
async function run(app: Express, count: number): Promise<number> {
  const handle = handleOf(app);
  const start = process.cpuUsage();
  for (let index = 0; index < count; index += 1) {
    const req = new IncomingMessage(socket);
    req.method = 'GET';
    req.url = '/api/auth/me';
    req.headers = { ...HEADERS };
    const res = new ServerResponse(req);
    await new Promise<void>((resolve, reject) => {
      handle(req, res, (error?: unknown) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve()));
    });
    res.statusCode = 200;
    // As a server does: 'finish' once the response is written, then 'close'.
    res.emit('finish');
    res.emit('close');
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / count;
}

const layers: [string, { onApp?: RequestHandler[]; inApi?: RequestHandler[] }][] = [
  ['request log', { onApp: [createRequestLogger(logger)] }],
  ['security headers (API answers, no-store among them)', { inApi: [createApiSecurityHeaders(config)] }],
  ['CORS', { inApi: [createCors(config)] }],
  ['cross-site guard', { inApi: [createCrossSiteGuard(config)] }],
  ['JSON content type + body parser', { inApi: [jsonBody] }],
];

const ROUNDS_PER_PROCESS = 5;
const appArg = process.argv.find((arg) => arg.startsWith('--app='))?.slice('--app='.length);

/**
 * One app per process (`--app=<layer>` or `--app=bare`), as a server runs one: requests of one shape
 * only. Measuring an app with a layer and one without in the same process let each one's requests
 * reach the code they share (Express, Node's HTTP objects) in two shapes, which slowed both and was
 * counted as the layer's cost. Prints the median of ROUNDS_PER_PROCESS rounds, a full collection before each.
 */
async function measureOneApp(name: string): Promise<void> {
  const placed = name === 'bare' ? {} : layers.find(([layer]) => layer === name)?.[1];
  if (!placed) throw new Error(`no layer named ${name}`);
  const app = appWith(placed);
  await run(app, 2 * ITERATIONS);
  const rounds: number[] = [];
  for (let round = 0; round < ROUNDS_PER_PROCESS; round += 1) {
    globalThis.gc?.();
    rounds.push(await run(app, ITERATIONS));
  }
  process.stdout.write(`${JSON.stringify({ name, micros: median(rounds) })}\n`);
}

async function main(): Promise<void> {
  const { firstLine, SERVER_CORE, spawnNode } = await import('./processes');
  const measure = async (name: string): Promise<number> => {
    const child = spawnNode(SERVER_CORE, ['--expose-gc', 'bench/layer-micro.ts', `--app=${name}`]);
    return (JSON.parse(await firstLine(child, 120_000)) as { micros: number }).micros;
  };
  const costs = new Map<string, number[]>(layers.map(([name]) => [name, []]));
  for (let pair = 0; pair < PAIRS; pair += 1) {
    for (const [name] of layers) {
      const without = await measure('bare');
      const withLayer = await measure(name);
      costs.get(name)?.push(withLayer - without);
    }
  }
  const lines = [
    `${PAIRS} alternating pairs of processes, each the app with one layer or without it (${ROUNDS_PER_PROCESS} rounds of ${ITERATIONS} requests, median); median CPU µs per request of the app with the layer minus without it.`,
    '',
    '| layer | µs/request |',
    '|---|---:|',
  ];
  for (const [name, values] of costs) lines.push(`| ${name} | ${median(values).toFixed(1)} |`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** A signed-in session on the real app, then the strict path's parts, interleaved (see the header). */
async function strictPath(): Promise<void> {
  const { randomBytes } = await import('node:crypto');
  const { createServer } = await import('node:http');
  const { start } = await import('@gatehouse/embedded-mongo');
  const { createApp } = await import('../src/app');
  const { connectDatabase } = await import('../src/db/connection');
  const { GatehouseSessionStore } = await import('../src/sessions/store');
  const engine = await start({ dbPath: join(work, 'db'), logger: { info: () => {}, warn: () => {} } });
  const uri = `${engine.uri}gatehouse`;
  const connection = await connectDatabase({ uri, timeoutMs: 2000 });
  const requestLog = createLogger({ level: 'info', destination: batchedDestination(join(work, 'path-requests.log')) });
  const secret = randomBytes(32).toString('base64url');
  const build = (mode: string) => {
    const settings = {
      NODE_ENV: 'production',
      PWNED_PASSWORDS: 'off',
      DATA_DIR: work,
      SESSION_SECRETS: secret,
      TOTP_ENCRYPTION_KEYS: Buffer.alloc(32, 1).toString('base64'),
    };
    const appConfig = loadConfig({ ...settings, TRUST_PROXY: 'loopback', MONGODB_URI: uri, SESSION_CACHE: mode });
    return createApp({ config: appConfig, connection, logger: requestLog });
  };
  const strict = build('off');
  const coherent = build('coherent');
  await strict.services.ensureIndexes();
  if ((await coherent.services.registry.sessionCacheDecision()).serving !== 'coherent') throw new Error('the coherent cache did not start');
  // Sign-in over a real socket (once), for a session shaped as production's.
  const server = createServer(strict.app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const { register, signIn } = await import('./gatehouse-process');
  const email = `path-${randomBytes(4).toString('hex')}@example.com`;
  await register(url, email, 'Path');
  const cookie = await signIn(url, email);
  await new Promise((resolve) => server.close(resolve));
  const sid =
    decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1))
      .slice('s:'.length)
      .split('.')[0] ?? '';
  const requestHeaders = { ...HEADERS, cookie };
  const requestOf = (app: Express) => inProcessGet(app, '/api/auth/me', requestHeaders);
  const [requestCoherent, requestStrict] = [requestOf(coherent.app), requestOf(strict.app)];
  const db = connection.getClient().db(connection.name);
  const sessions = db.collection<{ _id: string }>('sessions');
  // The store as the registry builds it for strict mode (registry.ts), on the same connection.
  const store = new GatehouseSessionStore({
    client: connection.getClient(),
    dbName: connection.name,
    collectionName: 'sessions',
    idleTimeoutSeconds: 1800,
    rememberMeIdleTimeoutSeconds: 30 * 24 * 3600,
    touchAfterSeconds: 60,
  });
  const parts: [string, () => Promise<unknown>][] = [
    ['GET /api/auth/me, SESSION_CACHE=coherent (no read)', requestCoherent],
    ['GET /api/auth/me, SESSION_CACHE=off (strict)', requestStrict],
    ['driver round trip to the engine (ping)', () => db.command({ ping: 1 })],
    [
      'session findOne as before: {_id, expires: {$gt}} + projection',
      () => sessions.findOne({ _id: sid, expires: { $gt: new Date() } } as never, { projection: { session: 1, lastModified: 1, expires: 1, handle: 1 } }),
    ],
    ['session findOne as now: {_id}', () => sessions.findOne({ _id: sid })],
    [
      "the store's get (findOne, deadline check, loaded data)",
      () =>
        new Promise((resolve, reject) =>
          store.get(sid, (error, data) => (error ? reject(error instanceof Error ? error : new Error(String(error))) : resolve(data))),
        ),
    ],
  ];
  const COUNT = Number(process.env.PATH_COUNT ?? 300);
  const ROUNDS = Number(process.env.PATH_ROUNDS ?? 15);
  for (const [, send] of parts) for (let index = 0; index < COUNT; index += 1) await send();
  const figures = new Map<string, number[]>(parts.map(([name]) => [name, []]));
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [name, send] of parts) {
      const started = process.cpuUsage();
      for (let index = 0; index < COUNT; index += 1) await send();
      const used = process.cpuUsage(started);
      figures.get(name)?.push((used.user + used.system) / COUNT);
    }
  }
  const lines = [
    `${ROUNDS} interleaved rounds of ${COUNT} each, one at a time; CPU µs per request or call.`,
    '',
    '| strict path, part | median µs | min µs |',
    '|---|---:|---:|',
  ];
  for (const [name, values] of figures) lines.push(`| ${name} | ${median(values).toFixed(0)} | ${Math.min(...values).toFixed(0)} |`);
  process.stdout.write(`${lines.join('\n')}\n`);
  await coherent.services.close();
  await connection.close();
  await engine.stop();
}

(appArg ? measureOneApp(appArg) : process.argv.includes('--strict-path') ? strictPath() : main())
  .then(() => {
    rmSync(work, { recursive: true, force: true });
    process.exit(0);
  })
  .catch((error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });

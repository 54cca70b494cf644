/**
 * CPU per request of each of Gatehouse's own middleware layers, in isolation and in one process:
 * `npm run bench:layers -w @gatehouse/api -- --micro` (docs/performance.md, "Per-layer cost").
 *
 * Each layer is mounted alone in an Express app, as app.ts mounts it, and handed a GET /api/auth/me
 * shaped like the benchmark's (real IncomingMessage/ServerResponse objects, no socket); the cost is the
 * CPU time per request of that app minus the same app without the layer, measured in alternation many
 * times over. The response's `finish` is emitted by hand, so work done then (the request log line,
 * written to a file as in production) counts. Nothing here touches the network or the database, so the
 * figures do not move with the load the shared machine is under as much as the load tests do.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import type { Express, RequestHandler } from 'express';
import { pino } from 'pino';
import { loadConfig } from '../src/config';
import { parseJsonBody, requireJsonBody } from '../src/http/body';
import { createCors } from '../src/http/cors';
import { createCrossSiteGuard } from '../src/http/cross-site';
import { createLogger, createRequestLogger } from '../src/http/logging';
import { createSecurityHeaders, noStore } from '../src/http/security-headers';
import { median } from './measure';

const ITERATIONS = 20_000;
const PAIRS = Number(process.env.PAIRS ?? 15);

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
const logger = createLogger({ level: 'info', destination: pino.destination({ dest: join(work, 'requests.log'), sync: true }) });
const socket = new Socket();
const HEADERS = {
  host: '127.0.0.1:3000',
  cookie: '__Host-gh.sid=s%3AZherGNonrpa0bUssfF2R5_Q-tXuR8faJ.yIw1PACCTRSk111g79HuOzrr9KwUSsUUBD4NS%2BoDp3c',
  'x-forwarded-proto': 'https',
  'user-agent': 'autocannon',
  connection: 'keep-alive',
};

function appWith(layers: RequestHandler[]): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  app.set('query parser', 'simple');
  for (const layer of layers) app.use('/api', layer);
  return app;
}

/** Runs `count` requests through the app and returns the CPU microseconds per request. */
async function run(app: Express, count: number): Promise<number> {
  const handle = (app as unknown as { handle(req: IncomingMessage, res: ServerResponse, done: (error?: unknown) => void): void }).handle.bind(app);
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
    res.emit('finish');
  }
  const used = process.cpuUsage(start);
  return (used.user + used.system) / count;
}

const layers: [string, RequestHandler[]][] = [
  ['request log', [createRequestLogger(logger)]],
  ['security headers', [createSecurityHeaders(config)]],
  ['no-store', [noStore]],
  ['CORS', [createCors(config)]],
  ['cross-site guard', [createCrossSiteGuard(config)]],
  ['JSON content type + body parser', [requireJsonBody, parseJsonBody]],
];

async function main(): Promise<void> {
  const bare = appWith([]);
  const apps = layers.map(([name, handlers]) => ({ name, app: appWith(handlers) }));
  // Warm-up, so the JIT has settled before anything is counted.
  await run(bare, ITERATIONS);
  for (const { app } of apps) await run(app, ITERATIONS);
  const costs = new Map<string, number[]>(apps.map(({ name }) => [name, []]));
  for (let pair = 0; pair < PAIRS; pair += 1) {
    for (const { name, app } of apps) {
      const without = await run(bare, ITERATIONS);
      const withLayer = await run(app, ITERATIONS);
      costs.get(name)?.push(withLayer - without);
    }
  }
  const lines = [
    `${PAIRS} alternating pairs of ${ITERATIONS} requests; median CPU µs per request of the app with the layer minus without it.`,
    '',
    '| layer | µs/request |',
    '|---|---:|',
  ];
  for (const [name, values] of costs) lines.push(`| ${name} | ${median(values).toFixed(1)} |`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

main()
  .then(() => {
    rmSync(work, { recursive: true, force: true });
    process.exit(0);
  })
  .catch((error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });

/**
 * The real app (createApp, as server.ts builds it, with the engine in the same process as `npm start`
 * runs it), built once per variant in one process, each variant with some of its middleware taken out:
 * `tsx bench/layer-server.ts <dataDir> <variant> [<variant> …]`, a variant being `full` or a
 * comma-separated list of layers. Each variant signs in once with every layer in place, then loses its
 * layers; prints `{"variants": [{"name", "baseUrl", "cookie", "removed"}]}` once all listen.
 * Layers are found by their place in app.ts's order (on the app or in its API router), checked against
 * where the API router's first route and express-session are.
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import type { RequestHandler } from 'express';
import { start } from '@gatehouse/embedded-mongo';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { connectDatabase } from '../src/db/connection';
import { createBornExpressObjects } from '../src/http/born-express';
import { batchedDestination, createLogger } from '../src/http/logging';
import { register, signIn } from './gatehouse-process';
import type { Layer } from './layer-names';

interface RouterLayer {
  name: string;
  route?: unknown;
  handle: RequestHandler & { stack?: RouterLayer[] };
}

/** A layer's place: the app's own stack or the API router's, and its index there. */
interface Place {
  stack: RouterLayer[];
  index: number;
}

/**
 * app.ts's order: on the app, logging first, then the API router; in the API router, the security headers
 * first, then the guards (CORS, cross-site, JSON body) before its first route (the probes), and the
 * lifecycle right after express-session.
 */
const API_GUARDS = 3;

function placesOf(appStack: RouterLayer[], layer: Layer): Place[] {
  const api = appStack.find((entry) => entry.handle.stack?.some((inner) => inner.name === 'session'))?.handle.stack ?? [];
  const session = api.findIndex((entry) => entry.name === 'session');
  const firstRoute = api.findIndex((entry) => entry.route !== undefined);
  if (firstRoute !== 1 + API_GUARDS || session < firstRoute)
    throw new Error(
      `the API router is not in app.ts's order (headers, ${API_GUARDS} guards, routes, then express-session): ${api.map((entry) => entry.name).join(', ')}`,
    );
  switch (layer) {
    case 'request-log':
      return [{ stack: appStack, index: 0 }];
    case 'security-headers':
      return [{ stack: api, index: 0 }];
    case 'api-guards':
      return Array.from({ length: API_GUARDS }, (_, index) => ({ stack: api, index: 1 + index }));
    case 'lifecycle':
      return [{ stack: api, index: session + 1 }];
  }
}

const [dataDir = '', ...variantArgs] = process.argv.slice(2);
const engine = await start({ dbPath: join(dataDir, 'db'), logger: { info: () => {}, warn: () => {} } });
const uri = `${engine.uri}gatehouse`;
const config = loadConfig({
  NODE_ENV: 'production',
  PWNED_PASSWORDS: 'off',
  PORT: '0',
  HOST: '127.0.0.1',
  DATA_DIR: dataDir,
  SESSION_SECRETS: randomBytes(32).toString('base64url'),
  TOTP_ENCRYPTION_KEYS: randomBytes(32).toString('base64'),
  TRUST_PROXY: 'loopback',
  LOG_LEVEL: 'info',
  MONGODB_URI: uri,
  // SESSION_CACHE=coherent (bench/layers.ts --session-cache=coherent): the same stack serving sessions from memory.
  SESSION_CACHE: process.env.SESSION_CACHE ?? 'off',
});
const connection = await connectDatabase({ uri, timeoutMs: config.dbTimeoutMs });
// Request logs go to a file, as `npm start > file` would write them.
const logger = createLogger({ level: config.logLevel, destination: batchedDestination(join(dataDir, 'requests.log')) });
/** Handlers log auth events through req.log: without the request logger they get the plain logger, at no per-request cost. */
const plainLogger: RequestHandler = (req, _res, next) => {
  req.log = logger;
  next();
};

const variants = [];
for (const [index, variant] of variantArgs.entries()) {
  const removed = variant === 'full' ? [] : (variant.split(',') as Layer[]);
  const { app, services } = createApp({ config, connection, logger });
  if (index === 0) await services.ensureIndexes();
  // As server.ts serves the app: requests and responses born with its prototypes.
  const born = createBornExpressObjects();
  born.adopt(app);
  const server = createServer(born.serverOptions, app);
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const email = `layers-${randomBytes(4).toString('hex')}@example.com`;
  await register(baseUrl, email, 'Layers');
  const cookie = await signIn(baseUrl, email);
  const { stack } = (app as unknown as { router: { stack: RouterLayer[] } }).router;
  // Taken out from the end of each stack first, so the indexes still to come stay valid.
  const places = removed.flatMap((layer) => placesOf(stack, layer)).sort((a, b) => b.index - a.index);
  const names = places.map((place) => place.stack[place.index]?.name ?? '?');
  for (const place of places) {
    const entry = place.stack[place.index];
    if (place.stack === stack && place.index === 0 && entry) entry.handle = plainLogger;
    else place.stack.splice(place.index, 1);
  }
  variants.push({ name: variant, baseUrl, cookie, removed: names });
}

// CPU_PROFILE=<file>: a V8 profile of what happens from now (signed in, layers out) until SIGTERM, the
// load window only, without start-up (bench/profile-summary.ts reads it).
const profileFile = process.env.CPU_PROFILE;
const inspector = profileFile ? new Session() : null;
if (inspector) {
  inspector.connect();
  await inspector.post('Profiler.enable');
  await inspector.post('Profiler.start');
}
process.stdout.write(`${JSON.stringify({ variants })}\n`);
// A throw-away server: the harness removes its data directory.
process.once('SIGTERM', () => {
  if (!inspector || !profileFile) process.exit(0);
  void inspector.post('Profiler.stop').then(({ profile }) => {
    writeFileSync(profileFile, JSON.stringify(profile));
    process.exit(0);
  });
});

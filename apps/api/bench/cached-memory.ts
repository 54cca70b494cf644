/**
 * Memory per 10,000 sessions, in one process started with --expose-gc (`sizing.ts` runs it), the engine
 * inside it as `npm start` runs it. Heap in use after a full collection is read three times: with one
 * signed-in account (its session is the template); after 10,000 more sessions of the same shape are
 * stored (what the embedded engine holds for them); after the session store has loaded each of them
 * into a coherent cache (SESSION_CACHE=coherent's own store and cache, fed by `get` exactly as
 * express-session calls it, the change feed taken as current so a busy machine cannot empty it
 * mid-measurement). Prints one JSON line.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import { start } from '@gatehouse/embedded-mongo';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { connectDatabase } from '../src/db/connection';
import { createLogger } from '../src/http/logging';
import { sessionHandle } from '../src/sessions/handle';
import { SESSIONS_COLLECTION } from '../src/sessions/registry';
import { createSessionCache } from '../src/sessions/session-cache';
import { GatehouseSessionStore } from '../src/sessions/store';
import type { SessionDocument } from '../src/sessions/store';

const SESSIONS = 10_000;
const SESSIONS_PER_ACCOUNT = 4;
const PASSWORD = 'correct horse battery staple';
const SECRET = randomBytes(32).toString('base64url');

const collect: () => void =
  globalThis.gc ??
  (() => {
    throw new Error('run with node --expose-gc');
  });

function heapUsed(): number {
  for (let pass = 0; pass < 3; pass += 1) collect();
  return process.memoryUsage().heapUsed;
}

const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-cached-memory-'));
const engine = await start({ logger: { info: () => {}, warn: () => {} } });
const connection = await connectDatabase({ uri: engine.uri, dbName: 'cached_memory', timeoutMs: 2000 });
const config = loadConfig({
  NODE_ENV: 'test',
  PWNED_PASSWORDS: 'off',
  SESSION_SECRETS: SECRET,
  DATA_DIR: dataDir,
  LOG_LEVEL: 'silent',
});
const { app, services } = createApp({ config, connection, logger: createLogger({ level: 'silent' }) });
await services.ensureIndexes();
const server = createServer(app).listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

try {
  const email = 'memory@example.com';
  const post = (path: string, body: unknown) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if ((await post('/api/auth/register', { name: 'Memory', email, password: PASSWORD })).status !== 202) throw new Error('registration failed');
  const signedIn = await post('/api/auth/login', { email, password: PASSWORD });
  if (signedIn.status !== 200) throw new Error(`sign-in failed: ${signedIn.status}`);
  const sessions = connection.collection<SessionDocument>(SESSIONS_COLLECTION);
  const template = await sessions.findOne({});
  if (!template) throw new Error('no stored session');
  const sids = Array.from({ length: SESSIONS }, () => randomBytes(24).toString('base64url'));
  const heapBefore = heapUsed();
  const docs = sids.map((sid, index): SessionDocument => {
    const userId = Math.floor(index / SESSIONS_PER_ACCOUNT)
      .toString(16)
      .padStart(24, '0');
    return {
      ...template,
      _id: sid,
      handle: sessionHandle(sid),
      session: { ...template.session, userId, user: { ...template.session.user, id: userId } as SessionDocument['session']['user'] },
    };
  });
  for (let offset = 0; offset < docs.length; offset += 2_000) await sessions.insertMany(docs.slice(offset, offset + 2_000));
  docs.length = 0;
  const heapStored = heapUsed();
  const cache = createSessionCache({ maxEntries: SESSIONS * 2, isTrusted: () => true });
  const store = new GatehouseSessionStore({
    client: connection.getClient(),
    dbName: connection.name,
    collectionName: SESSIONS_COLLECTION,
    idleTimeoutSeconds: config.idleTimeoutSeconds,
    rememberMeIdleTimeoutSeconds: config.rememberMeIdleTimeoutSeconds,
    touchAfterSeconds: config.touchAfterSeconds,
    cache,
  });
  const load = (sid: string) =>
    new Promise<void>((resolve, reject) =>
      store.get(sid, (error, data) =>
        error ? reject(error instanceof Error ? error : new Error(String(error))) : data ? resolve() : reject(new Error('session not found')),
      ),
    );
  for (let offset = 0; offset < sids.length; offset += 8) await Promise.all(sids.slice(offset, offset + 8).map(load));
  const cached = cache.size();
  const heapCached = heapUsed();
  process.stdout.write(
    `${JSON.stringify({
      sessions: SESSIONS,
      cached,
      storedBytesPer10k: ((heapStored - heapBefore) / SESSIONS) * 10_000,
      cachedBytesPer10k: ((heapCached - heapStored) / Math.max(cached, 1)) * 10_000,
      documentBsonBytes: mongoose.mongo.BSON.calculateObjectSize(template),
    })}\n`,
  );
} finally {
  server.close();
  await services.close();
  await connection.close();
  await engine.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type mongoose from 'mongoose';
import supertest from 'supertest';
import { start } from '@gatehouse/embedded-mongo';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { connectDatabase } from '../src/db/connection';
import { createLogger } from '../src/http/logging';

type CommandStartedEvent = mongoose.mongo.CommandStartedEvent;

const READS = new Set(['find', 'getMore', 'aggregate', 'count', 'distinct']);
const WRITES = new Set(['insert', 'update', 'delete', 'findAndModify', 'bulkWrite', 'createIndexes']);

export interface CommandCost {
  request: string;
  requests: number;
  readsPerRequest: number;
  writesPerRequest: number;
  /** e.g. "find sessions ×1" */
  commands: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Counts the database commands each kind of request sends, with the driver's command monitoring on the
 * app's own connection (the same check as src/reliability/db-cost.test.ts, reported per request here).
 */
export async function measureCommandCosts(): Promise<CommandCost[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-cost-'));
  const engine = await start({});
  const connection = await connectDatabase({ uri: engine.uri, dbName: 'bench_cost', timeoutMs: 2000, monitorCommands: true });
  const events: CommandStartedEvent[] = [];
  connection.getClient().on('commandStarted', (event) => events.push(event));
  const settings = {
    NODE_ENV: 'test',
    PWNED_PASSWORDS: 'off',
    SESSION_SECRETS: 'bench-secret-0123456789-abcdefghijklmnopq',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
  };
  // Strict (every request reads its session): the rows below; the default settings (auto, which is
  // coherent on this engine) get a row of their own for the signed-in GET.
  const { app, services } = createApp({ config: loadConfig({ ...settings, SESSION_CACHE: 'off' }), connection, logger: createLogger({ level: 'silent' }) });
  const byDefault = createApp({ config: loadConfig(settings), connection, logger: createLogger({ level: 'silent' }) });
  try {
    await services.ensureIndexes();
    if ((await byDefault.services.registry.sessionCacheDecision()).serving !== 'coherent') throw new Error('the default settings did not turn the cache on');

    const account = { name: 'Cost', email: 'cost@example.com', password: 'correct horse battery staple' };
    await supertest(app).post('/api/auth/register').send(account);
    // Registration starts no session: sign in for the cookie.
    const registered = await supertest(app).post('/api/auth/login').send({ email: account.email, password: account.password });
    const setCookies = ([] as string[]).concat(registered.headers['set-cookie'] ?? []);
    const cookie = setCookies.find((value) => value.startsWith('gh.sid='))?.split(';')[0] ?? '';

    const measure = async (request: string, count: number, send: () => PromiseLike<unknown>): Promise<CommandCost> => {
      await sleep(100);
      events.length = 0;
      for (let index = 0; index < count; index += 1) await send();
      await sleep(100);
      const tally = new Map<string, number>();
      // The change feed's getMore (one awaitable read a second, whatever the traffic) is not a request's.
      const ofRequests = events.filter((event) => event.commandName !== 'getMore');
      for (const event of ofRequests) {
        const key = `${event.commandName} ${String(event.command[event.commandName])}`;
        tally.set(key, (tally.get(key) ?? 0) + 1);
      }
      return {
        request,
        requests: count,
        readsPerRequest: ofRequests.filter((event) => READS.has(event.commandName)).length / count,
        writesPerRequest: ofRequests.filter((event) => WRITES.has(event.commandName)).length / count,
        commands: [...tally].map(([key, times]) => `${key} ×${+(times / count).toFixed(2)}`).join(', ') || '—',
      };
    };

    // The default settings' instance holds the session once it has read it.
    await supertest(byDefault.app).get('/api/auth/me').set('Cookie', cookie);
    return [
      await measure('GET /api/auth/me, signed in, within touchAfter (SESSION_CACHE=off)', 100, () => supertest(app).get('/api/auth/me').set('Cookie', cookie)),
      await measure('GET /api/auth/me, signed in, default settings (auto: coherent here)', 100, () =>
        supertest(byDefault.app).get('/api/auth/me').set('Cookie', cookie),
      ),
      await measure('GET /api/sessions, signed in', 50, () => supertest(app).get('/api/sessions').set('Cookie', cookie)),
      await measure('GET /api/auth/me, anonymous', 100, () => supertest(app).get('/api/auth/me')),
      await measure('GET /api/auth/me, forged cookie', 100, () => supertest(app).get('/api/auth/me').set('Cookie', 'gh.sid=s%3Aforged.sig')),
      await measure('GET /api/health', 100, () => supertest(app).get('/api/health')),
      await measure('OPTIONS preflight', 100, () =>
        supertest(app).options('/api/auth/login').set('Origin', 'http://localhost:3000').set('Access-Control-Request-Method', 'POST'),
      ),
      await measure('GET /api/ready', 100, () => supertest(app).get('/api/ready')),
      await measure('POST /api/auth/login (success)', 5, () =>
        supertest(app).post('/api/auth/login').send({ email: 'cost@example.com', password: 'correct horse battery staple' }),
      ),
      await measure('POST /api/auth/login (wrong password)', 5, () =>
        supertest(app).post('/api/auth/login').send({ email: 'cost@example.com', password: 'not the password' }),
      ),
    ];
  } finally {
    // Each app's change feed stops before the connection closes (AppServices.close).
    await Promise.all([services.close(), byDefault.services.close()]);
    await connection.close();
    await engine.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../db/connection';
import { SESSIONS_COLLECTION } from '../sessions/registry';
import { TEST_SECRET } from '../test/test-config';
import { setCookies } from '../test/cookies';
import { httpRequest, keepAliveAgent, waitFor } from '../test/http-client';
import type { RequestOptions } from '../test/http-client';
import { killAll, removeDir, startApi, startEngine, tempDir } from '../test/processes';
import type { SpawnedApi } from '../test/processes';

const TOTAL = 10_000;
/**
 * Failed sign-ins hash a dummy password (argon2id, production cost) until the per-IP counter answers
 * 429: a modest share keeps the run at a few seconds while still crossing that threshold (100 per IP, the production limit, set here through the environment).
 */
const FAILED_LOGINS = 150;
const CONCURRENCY = 16;

const agent = keepAliveAgent(CONCURRENCY);
const dirs: string[] = [];
let api: SpawnedApi;
let connection: Connection;

beforeAll(async () => {
  const dbPath = tempDir('r6');
  const webDist = tempDir('r6-web');
  dirs.push(dbPath, webDist);
  mkdirSync(join(webDist, 'assets'));
  writeFileSync(join(webDist, 'index.html'), '<!doctype html><title>Gatehouse</title><script type="module" src="/assets/app.js"></script>');
  writeFileSync(join(webDist, 'assets/app.js'), 'console.log("app");\n');
  const engine = await startEngine({ dbPath, ttlIntervalMs: 200 });
  api = await startApi({
    MONGODB_URI: engine.database('gatehouse'),
    SESSION_SECRETS: TEST_SECRET,
    WEB_DIST_DIR: webDist,
    THROTTLE_SIGN_IN_PER_IP: '100/86400',
  });
  connection = await connectDatabase({ uri: engine.database('gatehouse'), timeoutMs: 2000 });
}, 60_000);

afterAll(async () => {
  agent.destroy();
  await connection?.close();
  await killAll();
  dirs.forEach(removeDir);
});

interface AnonymousRequest {
  name: string;
  path: string;
  options?: RequestOptions;
  expected: number[];
}

const ORIGIN = `http://localhost:3000`;

/** What arrives without a session: page loads, static files, probes, 404s, preflights, junk cookies. */
const MIX: AnonymousRequest[] = [
  { name: 'page /', path: '/', expected: [200] },
  { name: 'page /login', path: '/login', expected: [200] },
  { name: 'page /sessions', path: '/sessions?tab=all', expected: [200] },
  { name: 'asset', path: '/assets/app.js', expected: [200] },
  { name: 'missing asset', path: '/assets/gone.js', expected: [404] },
  { name: 'me', path: '/api/auth/me', expected: [401] },
  { name: 'sessions list', path: '/api/sessions', expected: [401] },
  { name: 'unknown api', path: '/api/does-not-exist', expected: [404] },
  { name: 'health', path: '/api/health', expected: [200] },
  { name: 'forged cookie', path: '/api/auth/me', options: { cookie: 'gh.sid=s%3Aforged-session-id.bad-signature' }, expected: [401] },
  { name: 'unsigned cookie', path: '/api/activity', options: { cookie: 'gh.sid=plain-value; other=1' }, expected: [401] },
  {
    name: 'preflight',
    path: '/api/auth/login',
    options: { method: 'OPTIONS', headers: { Origin: ORIGIN, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' } },
    expected: [204],
  },
  {
    name: 'preflight from elsewhere',
    path: '/api/sessions',
    options: { method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'DELETE' } },
    expected: [204],
  },
  { name: 'invalid registration', path: '/api/auth/register', options: { method: 'POST', json: { email: 'not-an-email' } }, expected: [400] },
];

function failedLogin(index: number): AnonymousRequest {
  return {
    name: 'failed login',
    path: '/api/auth/login',
    options: { method: 'POST', json: { email: `nobody-${index}@example.com`, password: 'not the right password' } },
    expected: [401, 429],
  };
}

function plannedRequests(): AnonymousRequest[] {
  const planned: AnonymousRequest[] = [];
  const loginEvery = Math.floor(TOTAL / FAILED_LOGINS);
  for (let index = 0; index < TOTAL; index += 1) {
    planned.push(index % loginEvery === 0 && index / loginEvery < FAILED_LOGINS ? failedLogin(index) : (MIX[index % MIX.length] as AnonymousRequest));
  }
  return planned;
}

describe('R6: anonymous traffic creates nothing', () => {
  it(
    `R6: ${TOTAL.toLocaleString('en')} anonymous requests (pages, assets, 404s, preflights, forged cookies, ${FAILED_LOGINS} failed sign-ins) → 0 stored sessions, 0 Set-Cookie`,
    { timeout: 120_000 },
    async () => {
      const sessions = connection.collection(SESSIONS_COLLECTION);
      expect(await sessions.countDocuments()).toBe(0);
      const planned = plannedRequests();
      const statusesByName = new Map<string, Map<number, number>>();
      const unexpected: string[] = [];
      let cookiesSet = 0;
      let next = 0;
      const started = performance.now();

      const worker = async () => {
        for (let index = next++; index < planned.length; index = next++) {
          const request = planned[index] as AnonymousRequest;
          const res = await httpRequest(api.baseUrl, request.path, { ...request.options, agent });
          cookiesSet += setCookies(res).length;
          const counts = statusesByName.get(request.name) ?? new Map<number, number>();
          counts.set(res.status, (counts.get(res.status) ?? 0) + 1);
          statusesByName.set(request.name, counts);
          if (!request.expected.includes(res.status)) unexpected.push(`${request.name}: ${res.status} ${res.body.slice(0, 120)}`);
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      const seconds = (performance.now() - started) / 1000;

      const stored = await sessions.countDocuments();
      const summary = Object.fromEntries([...statusesByName].map(([name, counts]) => [name, Object.fromEntries(counts)]));
      console.info(
        `R6: ${planned.length} requests in ${seconds.toFixed(1)} s; stored sessions ${stored}; Set-Cookie headers ${cookiesSet}; ${JSON.stringify(summary)}`,
      );
      expect(unexpected.slice(0, 5)).toEqual([]);
      expect(cookiesSet).toBe(0);
      expect(stored).toBe(0);
      const logins = statusesByName.get('failed login');
      expect(logins?.get(429), 'the per-IP throttle was reached').toBeGreaterThan(0);
    },
  );

  it('R6: an expired session document is purged by the TTL index', { timeout: 30_000 }, async () => {
    const sessions = connection.collection<{ _id: string }>(SESSIONS_COLLECTION);
    await sessions.insertOne({
      _id: 'expired-session-for-ttl',
      session: { cookie: {} },
      expires: new Date(Date.now() - 1000),
      lastModified: new Date(),
    } as never);
    await waitFor(async () => ((await sessions.countDocuments({ _id: 'expired-session-for-ttl' })) === 0 ? true : undefined), {
      timeoutMs: 10_000,
      what: 'the TTL monitor to remove the expired session',
    });
  });
});

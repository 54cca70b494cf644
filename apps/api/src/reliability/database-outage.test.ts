import { afterAll, describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from '../db/errors';
import { TEST_SECRET } from '../test/test-config';
import { STRONG_PASSWORD } from '../test/accounts';
import { errorCode, httpRequest, keepAliveAgent, meStatuses, percentile, waitFor } from '../test/http-client';
import type { HttpResult } from '../test/http-client';
import { freePort, isRunning, killAll, removeDir, startApi, startEngine, tempDir } from '../test/processes';
import { registerWithSessions } from '../test/sign-in';

/** Driver timeouts of the spawned API: every database wait is bounded by this (R1/R2). */
const DB_TIMEOUT_MS = 500;
/** A 503 must come within the driver timeout plus slack for a busy 2-core machine, never after a 10-30 s driver default. */
const FAST_ANSWER_MS = DB_TIMEOUT_MS + 1500;

const agent = keepAliveAgent();
const dirs: string[] = [];
afterAll(async () => {
  agent.destroy();
  await killAll();
  dirs.forEach(removeDir);
});

function expectServiceUnavailable(res: HttpResult, what: string): void {
  expect(res.status, `${what}: ${res.body}`).toBe(503);
  expect(res.headers['retry-after'], what).toBe('5');
  expect(errorCode(res), what).toBe('service_unavailable');
  expect(res.ms, `${what} took ${Math.round(res.ms)} ms`).toBeLessThan(FAST_ANSWER_MS);
}

/** What the SPA would send during an outage: its session check, a listing, a sign-in, a sign-out. */
function outageRequests(baseUrl: string, cookie: string): Promise<HttpResult>[] {
  return [
    httpRequest(baseUrl, '/api/auth/me', { cookie, agent }),
    httpRequest(baseUrl, '/api/sessions', { cookie, agent }),
    httpRequest(baseUrl, '/api/auth/login', { method: 'POST', json: { email: 'someone@example.com', password: STRONG_PASSWORD }, agent }),
    httpRequest(baseUrl, '/api/auth/logout', { method: 'POST', cookie, agent }),
  ];
}

describe('R1/R2: the database is unreachable', () => {
  it(
    'R1: started before its database: readiness 503 and quick 503 + Retry-After for database calls, then serves by itself once the database is up',
    { timeout: 60_000 },
    async () => {
      const port = await freePort();
      const api = await startApi(
        { MONGODB_URI: `mongodb://127.0.0.1:${port}/gatehouse`, SESSION_SECRETS: TEST_SECRET, DB_TIMEOUT_MS: String(DB_TIMEOUT_MS) },
        { waitFor: 'listening' },
      );
      const health = await httpRequest(api.baseUrl, '/api/health', { agent });
      expect(health.status).toBe(200);
      const ready = await httpRequest(api.baseUrl, '/api/ready', { agent });
      expect(ready.status).toBe(503);
      expect(ready.headers['retry-after']).toBe('5');
      for (const res of await Promise.all(outageRequests(api.baseUrl, 'gh.sid=s%3Aunknown.signature'))) expectServiceUnavailable(res, 'before the database');

      const dbPath = tempDir('r1');
      dirs.push(dbPath);
      const engine = await startEngine({ dbPath, port });
      const upAt = performance.now();
      await waitFor(async () => ((await httpRequest(api.baseUrl, '/api/ready', { agent })).status === 200 ? true : undefined), {
        timeoutMs: 20_000,
        what: 'readiness after the database came up',
      });
      const recoverySeconds = (performance.now() - upAt) / 1000;
      console.info(`R1: ready ${recoverySeconds.toFixed(2)} s after the database came up`);

      const user = await registerWithSessions(api.baseUrl, 1);
      expect(await meStatuses(api.baseUrl, user.cookies, agent)).toEqual([200]);
      expect(isRunning(api.process), 'the API was never restarted').toBe(true);
      expect(api.output()).not.toMatch(/uncaught|unhandled/i);
      expect(await api.stop()).toBe(0);
      await engine.stop();
    },
  );

  it(
    'R2: the database dies mid-run: 503 + Retry-After (never 401 or 500, no crash), then the same cookies work again by themselves',
    { timeout: 90_000 },
    async () => {
      const dbPath = tempDir('r2');
      dirs.push(dbPath);
      const engine = await startEngine({ dbPath });
      const api = await startApi({ MONGODB_URI: engine.database('gatehouse'), SESSION_SECRETS: TEST_SECRET, DB_TIMEOUT_MS: String(DB_TIMEOUT_MS) });
      const user = await registerWithSessions(api.baseUrl, 10);
      expect(await meStatuses(api.baseUrl, user.cookies, agent)).toEqual(user.cookies.map(() => 200));

      // A crash, not a clean stop: whatever the engine acknowledged must still be there afterwards.
      await engine.stop('SIGKILL');
      const outageLatencies: number[] = [];
      const outageEnds = performance.now() + 3000;
      while (performance.now() < outageEnds) {
        const cookie = user.cookies[outageLatencies.length % user.cookies.length] ?? '';
        const responses = await Promise.all(outageRequests(api.baseUrl, cookie));
        for (const res of responses) {
          expectServiceUnavailable(res, 'during the outage');
          outageLatencies.push(res.ms);
        }
      }
      expect((await httpRequest(api.baseUrl, '/api/ready', { agent })).status).toBe(503);
      const p99 = percentile(outageLatencies, 99);
      console.info(
        `R2: ${outageLatencies.length} requests during the outage, all 503; p50 ${percentile(outageLatencies, 50).toFixed(0)} ms, p99 ${p99.toFixed(0)} ms`,
      );

      const restarted = await startEngine({ dbPath, port: engine.port });
      const upAt = performance.now();
      const firstCookie = user.cookies[0] ?? '';
      await waitFor(async () => ((await httpRequest(api.baseUrl, '/api/auth/me', { cookie: firstCookie, agent })).status === 200 ? true : undefined), {
        timeoutMs: 20_000,
        what: 'the first 200 after the database came back',
      });
      const recoverySeconds = (performance.now() - upAt) / 1000;
      const statuses = await meStatuses(api.baseUrl, user.cookies, agent);
      const valid = statuses.filter((status) => status === 200).length;
      console.info(`R2: first 200 ${recoverySeconds.toFixed(2)} s after the database came back; ${valid}/${statuses.length} sessions valid; API restarts: 0`);
      expect(statuses).toEqual(user.cookies.map(() => 200));
      expect((await httpRequest(api.baseUrl, '/api/ready', { agent })).status).toBe(200);
      expect(isRunning(api.process), 'the API never crashed or restarted').toBe(true);
      expect(api.output()).not.toMatch(/uncaught|unhandled/i);
      expect(await api.stop()).toBe(0);
      await restarted.stop();
    },
  );

  it('R2: a raw socket error the driver lets through (EPIPE as the database goes away) counts as unavailable, not as a 500', () => {
    const epipe = Object.assign(new Error('This socket has been ended by the other party'), { code: 'EPIPE' });
    expect(isDatabaseUnavailable(epipe)).toBe(true);
    expect(isDatabaseUnavailable(Object.assign(new Error('duplicate'), { code: 11000 }))).toBe(false);
  });
});

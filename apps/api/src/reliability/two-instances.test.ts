import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SECRET } from '../test/test-config';
import { STRONG_PASSWORD } from '../test/accounts';
import { errorCode, httpRequest, keepAliveAgent, meStatuses, parseJson } from '../test/http-client';
import { killAll, removeDir, startApi, startEngine, tempDir } from '../test/processes';
import type { SpawnedApi } from '../test/processes';
import { registerWithSessions, signIn } from '../test/sign-in';

const agent = keepAliveAgent();
const dirs: string[] = [];
let a: SpawnedApi;
let b: SpawnedApi;

beforeAll(async () => {
  const dbPath = tempDir('r4');
  dirs.push(dbPath);
  const engine = await startEngine({ dbPath });
  const env = { MONGODB_URI: engine.database('gatehouse'), SESSION_SECRETS: TEST_SECRET, DB_TIMEOUT_MS: '1000' };
  [a, b] = await Promise.all([startApi(env), startApi(env)]);
}, 60_000);

afterAll(async () => {
  agent.destroy();
  await killAll();
  dirs.forEach(removeDir);
});

async function handleOf(baseUrl: string, cookie: string, which: 'current' | 'other'): Promise<string> {
  const res = await httpRequest(baseUrl, '/api/sessions', { cookie, agent });
  expect(res.status).toBe(200);
  const { sessions } = parseJson<{ sessions: { handle: string; isCurrent: boolean }[] }>(res);
  const found = sessions.find((session) => session.isCurrent === (which === 'current'));
  if (!found) throw new Error(`no ${which} session in ${res.body}`);
  return found.handle;
}

describe('R4: two API processes on one database', () => {
  it('R4: sessions signed in on A are valid on B (10 of 10) and listed the same by both', { timeout: 60_000 }, async () => {
    const user = await registerWithSessions(a.baseUrl, 10);
    expect(await meStatuses(b.baseUrl, user.cookies, agent)).toEqual(user.cookies.map(() => 200));
    const cookie = user.cookies[0] ?? '';
    const listedByA = parseJson<{ sessions: { handle: string }[] }>(await httpRequest(a.baseUrl, '/api/sessions', { cookie, agent }));
    const listedByB = parseJson<{ sessions: { handle: string }[] }>(await httpRequest(b.baseUrl, '/api/sessions', { cookie, agent }));
    expect(listedByA.sessions).toHaveLength(10);
    expect(listedByB.sessions.map((session) => session.handle).sort()).toEqual(listedByA.sessions.map((session) => session.handle).sort());
  });

  it('R4: a session revoked on B is refused by A at its very next request, and a sign-out on B too', { timeout: 60_000 }, async () => {
    const user = await registerWithSessions(a.baseUrl, 1);
    const onA = user.cookies[0] ?? '';
    const onB = (await signIn(b.baseUrl, user)).cookie;
    expect(await meStatuses(a.baseUrl, [onA, onB], agent)).toEqual([200, 200]);

    const revoked = await httpRequest(b.baseUrl, `/api/sessions/${await handleOf(b.baseUrl, onB, 'other')}`, { method: 'DELETE', cookie: onB, agent });
    expect(revoked.status).toBe(204);
    const next = await httpRequest(a.baseUrl, '/api/auth/me', { cookie: onA, agent });
    expect(next.status).toBe(401);
    expect(errorCode(next)).toBe('unauthenticated');

    const third = (await signIn(a.baseUrl, user)).cookie;
    expect((await httpRequest(b.baseUrl, '/api/auth/logout', { method: 'POST', cookie: third, agent })).status).toBe(204);
    expect((await httpRequest(a.baseUrl, '/api/auth/me', { cookie: third, agent })).status).toBe(401);
    expect((await httpRequest(a.baseUrl, '/api/auth/me', { cookie: onB, agent })).status).toBe(200);
  });

  it('R4: login throttling counts failures from both instances together: 5 on A + 5 on B, then 429 on either', { timeout: 60_000 }, async () => {
    const { email } = await registerWithSessions(a.baseUrl, 1);
    const attempt = (baseUrl: string, password: string) => httpRequest(baseUrl, '/api/auth/login', { method: 'POST', json: { email, password }, agent });
    for (let index = 0; index < 10; index += 1) {
      const res = await attempt(index % 2 === 0 ? a.baseUrl : b.baseUrl, `wrong guess number ${index}`);
      expect(res.status, `attempt ${index + 1}`).toBe(401);
    }
    for (const baseUrl of [a.baseUrl, b.baseUrl]) {
      const blocked = await attempt(baseUrl, STRONG_PASSWORD);
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    }
  });

  it('logs every request as JSON with its request id, user id and latency, and no cookie (pino-http, S30)', () => {
    const lines = b
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { msg?: string; req?: { id?: string; path?: string }; userId?: string; responseTime?: number });
    const me = lines.filter((line) => line.msg === 'request completed' && line.req?.path === '/api/auth/me' && typeof line.userId === 'string');
    expect(me.length).toBeGreaterThan(0);
    for (const line of me) {
      expect(line.req?.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(typeof line.responseTime).toBe('number');
    }
    expect(b.output()).not.toMatch(/gh\.sid=s%3A|s:[A-Za-z0-9_-]{32}\./);
  });
});

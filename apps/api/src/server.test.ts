import { describe, expect, it } from 'vitest';
import { databaseUri, uniqueDbName } from './test/test-app';
import { TEST_SECRET } from './test/test-config';
import { freePort, startApi } from './test/processes';
import { waitFor } from './test/http-client';

const jsonPost = (url: string, body: unknown, cookie?: string) =>
  fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...(cookie ? { Cookie: cookie } : {}) }, body: JSON.stringify(body) });

function sessionCookieOf(res: Response): string {
  const cookie = res.headers.getSetCookie().find((value) => value.startsWith('gh.sid=s%3A'));
  if (!cookie) throw new Error(`no session cookie in ${JSON.stringify(res.headers.getSetCookie())}`);
  return cookie.split(';')[0] ?? '';
}

describe('the API as a process', () => {
  it('R3: sessions survive a restart: sign in, SIGTERM (exit 0), start again on the same database, same cookie → 200', { timeout: 60_000 }, async () => {
    const env = { MONGODB_URI: databaseUri(uniqueDbName()), SESSION_SECRETS: TEST_SECRET };
    const first = await startApi(env);
    const registered = await jsonPost(`${first.baseUrl}/api/auth/register`, {
      name: 'Restart',
      email: 'restart@example.com',
      password: 'correct horse battery staple',
    });
    expect(registered.status).toBe(202);
    const signedIn = await jsonPost(`${first.baseUrl}/api/auth/login`, { email: 'restart@example.com', password: 'correct horse battery staple' });
    expect(signedIn.status).toBe(200);
    const cookie = sessionCookieOf(signedIn);
    expect((await fetch(`${first.baseUrl}/api/auth/me`, { headers: { Cookie: cookie } })).status).toBe(200);
    expect(await first.stop('SIGTERM')).toBe(0);

    const second = await startApi(env);
    try {
      const me = await fetch(`${second.baseUrl}/api/auth/me`, { headers: { Cookie: cookie } });
      expect(me.status).toBe(200);
      expect(((await me.json()) as { user: { email: string } }).user.email).toBe('restart@example.com');
    } finally {
      await second.stop();
    }
  });

  it('R8: on SIGTERM an in-flight request still completes, then the process exits 0', { timeout: 60_000 }, async () => {
    const api = await startApi({ MONGODB_URI: databaseUri(uniqueDbName()), SESSION_SECRETS: TEST_SECRET, SHUTDOWN_GRACE_MS: '5000' });
    expect((await fetch(`${api.baseUrl}/api/ready`)).status).toBe(200);
    // Registration hashes with the production argon2 cost: long enough to still be running at SIGTERM.
    const inFlight = jsonPost(`${api.baseUrl}/api/auth/register`, { name: 'Drain', email: 'drain@example.com', password: 'correct horse battery staple' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    api.process.kill('SIGTERM');
    expect((await inFlight).status).toBe(202);
    expect(await api.exited).toBe(0);
    expect(api.output()).toMatch(/shutting down: readiness 503/);
  });

  it('S29: refuses to start in production with a secret shorter than 32 characters, naming the variable', { timeout: 30_000 }, async () => {
    const attempt = startApi({ NODE_ENV: 'production', SESSION_SECRETS: 'too-short-secret', MONGODB_URI: databaseUri(uniqueDbName()) });
    await expect(attempt).rejects.toThrow(/exited with 1[\s\S]*SESSION_SECRETS: secret #1 has 16 characters/);
  });

  it('S29: refuses to start in production without SESSION_SECRETS', { timeout: 30_000 }, async () => {
    const attempt = startApi({ NODE_ENV: 'production', MONGODB_URI: databaseUri(uniqueDbName()) });
    await expect(attempt).rejects.toThrow(/SESSION_SECRETS is required in production/);
  });

  it('R1: with the database unreachable it answers at once: readiness 503, API calls 503 with Retry-After, health 200', { timeout: 30_000 }, async () => {
    const api = await startApi(
      { MONGODB_URI: 'mongodb://127.0.0.1:9/gatehouse', SESSION_SECRETS: TEST_SECRET, DB_TIMEOUT_MS: '300' },
      { waitFor: 'listening' },
    );
    try {
      expect((await fetch(`${api.baseUrl}/api/health`)).status).toBe(200);
      expect((await fetch(`${api.baseUrl}/api/ready`)).status).toBe(503);
      const started = performance.now();
      const me = await fetch(`${api.baseUrl}/api/auth/me`, { headers: { Cookie: 'gh.sid=s%3Aabc.def' } });
      expect(me.status).toBe(503);
      expect(me.headers.get('retry-after')).toBe('5');
      expect(((await me.json()) as { error: { code: string } }).error.code).toBe('service_unavailable');
      expect(performance.now() - started).toBeLessThan(1000);
    } finally {
      expect(await api.stop()).toBe(0);
    }
  });
});

describe('start-up on the embedded engine', () => {
  it('the port opens only once the app can serve: 0 answers with 503 from the first connection on', { timeout: 60_000 }, async () => {
    const port = await freePort();
    const api = startApi({ PORT: String(port), SESSION_SECRETS: TEST_SECRET });
    api.catch(() => undefined); // awaited below; a failed start fails the test there
    const statuses: number[] = [];
    const deadline = Date.now() + 45_000;
    // Knock until the port answers, then keep asking a little: every answer must be the real app's.
    while (Date.now() < deadline && statuses.length < 50) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/api/auth/me`);
        statuses.push(res.status);
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    const started = await api;
    try {
      expect(statuses.length).toBe(50);
      expect(statuses.filter((status) => status === 503)).toEqual([]);
      expect(new Set(statuses)).toEqual(new Set([401]));
    } finally {
      await started.stop();
    }
  });

  it('SESSION_CACHE unset (auto): the start-up log says sessions are served from memory, and why', { timeout: 60_000 }, async () => {
    const api = await startApi({ SESSION_SECRETS: TEST_SECRET, SESSION_CACHE: '' });
    try {
      await waitFor(async () => (/sessions: coherent \(SESSION_CACHE=auto and the database offers change streams/.test(api.output()) ? true : undefined), {
        timeoutMs: 10_000,
        what: 'the start-up line saying how sessions are served',
      });
    } finally {
      await api.stop();
    }
  });
});

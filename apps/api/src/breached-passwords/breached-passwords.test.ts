import { createHash } from 'node:crypto';
import supertest from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MeResponseSchema } from '@gatehouse/types/auth';
import { ErrorBodySchema } from '@gatehouse/types/errors';
import { createPasswordHasher } from '../auth/passwords';
import { loadConfig, PUBLIC_PWNED_PASSWORDS_URL, PWNED_PASSWORDS_TIMEOUT_MS } from '../config';
import { createAccount, newCredentials } from '../test/accounts';
import { lastMailTo, tokenIn } from '../test/mail';
import { startRangeServer } from '../test/range-server';
import type { RangeServer } from '../test/range-server';
import { enrolTotp, passwordStep, testClock, totpCode } from '../test/second-factor';
import { signIn } from '../test/sign-in';
import { errorCode, httpRequest, parseJson, sessionCookie } from '../test/http-client';
import { startApi } from '../test/processes';
import { createTestApp, databaseUri, uniqueDbName } from '../test/test-app';
import type { TestApp } from '../test/test-app';
import { TEST_HASHING_COST, TEST_SECRET } from '../test/test-config';
import { breachCountIn, rangeKeyOf } from './range-lookup';

/** Long, unusual, and not on the common-password list: only the range server decides whether they are breached. */
const passphrase = (label: string) => `${label} ${Math.random().toString(36).slice(2)} violet harbour`;
const errorOf = (body: unknown) => ErrorBodySchema.parse(body).error;
const me = async (agent: supertest.Agent) => MeResponseSchema.parse((await agent.get('/api/auth/me')).body);
const sha1 = (text: string) => createHash('sha1').update(text, 'utf8').digest('hex').toUpperCase();

describe('range look-up pieces', () => {
  it('splits the upper-case SHA-1 into the 5-digit prefix that is sent and the 35-digit suffix that is not', () => {
    // SHA-1("password") = 5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8
    expect(rangeKeyOf('password')).toEqual({ prefix: '5BAA6', suffix: '1E4C9B93F3F0682250B6CF8331B7EE68FD8' });
  });

  it('reads SUFFIX:COUNT lines, and counts a padding row (count 0) as absent', () => {
    const answer = '0018A45C4D1DEF81644B54AB7F969B88D65:1\r\n1E4C9B93F3F0682250B6CF8331B7EE68FD8:9545824\r\nAAAA0000000000000000000000000000000:0';
    expect(breachCountIn(answer, '1E4C9B93F3F0682250B6CF8331B7EE68FD8')).toBe(9545824);
    expect(breachCountIn(answer, 'AAAA0000000000000000000000000000000')).toBe(0);
    expect(breachCountIn(answer, 'FFFF0000000000000000000000000000000')).toBe(0);
  });

  it('is on by default against the public range API, off with PWNED_PASSWORDS=off, and refuses a URL it could not append to', () => {
    const base = { SESSION_SECRETS: 'config-test-secret-0123456789-abcdefghij', TOTP_ENCRYPTION_KEYS: 'dGVzdC10b3RwLWtleS0wMTIzNDU2Nzg5LWFiY2RlZmc=' };
    expect(loadConfig(base).breachedPasswords).toEqual({ rangeUrl: PUBLIC_PWNED_PASSWORDS_URL, timeoutMs: PWNED_PASSWORDS_TIMEOUT_MS });
    expect(PWNED_PASSWORDS_TIMEOUT_MS).toBe(1500);
    expect(loadConfig({ ...base, PWNED_PASSWORDS: 'off' }).breachedPasswords).toBeNull();
    expect(loadConfig({ ...base, PWNED_PASSWORDS_URL: 'http://127.0.0.1:9999/range/' }).breachedPasswords?.rangeUrl).toBe('http://127.0.0.1:9999/range/');
    expect(() => loadConfig({ ...base, PWNED_PASSWORDS_URL: 'ftp://mirror.example/range/' })).toThrow(/PWNED_PASSWORDS_URL/);
    expect(() => loadConfig({ ...base, PWNED_PASSWORDS_URL: 'https://mirror.example/range/?k=' })).toThrow(/PWNED_PASSWORDS_URL/);
    expect(() => loadConfig({ ...base, PWNED_PASSWORDS: 'maybe' })).toThrow(/PWNED_PASSWORDS/);
  });
});

describe('breached passwords against a local range server', () => {
  let range: RangeServer;
  let t: TestApp;
  beforeAll(async () => {
    range = await startRangeServer();
    t = await createTestApp({ breachedPasswords: { rangeUrl: range.rangeUrl, timeoutMs: PWNED_PASSWORDS_TIMEOUT_MS }, logLevel: 'trace' });
  });
  afterAll(async () => {
    await t.close();
    await range.close();
  });
  afterEach(() => {
    range.delayAnswers(0);
    range.failWith(null);
  });

  it('S48: registration refuses a listed password (400 password_breached on the field); only 5 hex digits of its SHA-1 left the process', async () => {
    const password = passphrase('listed at registration');
    range.list(password);
    const before = range.requests.length;
    const res = await supertest(t.app).post('/api/auth/register').send(newCredentials({ password }));
    expect(res.status).toBe(400);
    const error = errorOf(res.body);
    expect(error.code).toBe('password_breached');
    expect(error.fields?.password).toMatch(/data breach/);

    const sent = range.requests.slice(before);
    expect(sent).toHaveLength(1);
    const [request] = sent;
    expect(request?.url).toBe(`/range/${sha1(password).slice(0, 5)}`);
    expect(request?.url).toMatch(/^\/range\/[0-9A-F]{5}$/);
    expect(request?.headers['add-padding']).toBe('true');
    expect(request?.body).toBe('');
    // Neither the password nor its hash beyond the prefix is anywhere in what was sent, nor in the logs.
    const wire = JSON.stringify(request);
    for (const secret of [password, sha1(password), sha1(password).slice(5), sha1(password).toLowerCase()]) {
      expect(wire).not.toContain(secret);
      expect(t.logText()).not.toContain(secret);
    }
  });

  it('an unlisted password registers (202), also when the range lists others with its prefix and pads the answer', async () => {
    const password = passphrase('unlisted');
    const res = await supertest(t.app).post('/api/auth/register').send(newCredentials({ password }));
    expect(res.status).toBe(202);
    expect(range.requests.at(-1)?.url).toBe(`/range/${sha1(password).slice(0, 5)}`);
  });

  it('S48: a password listed after the account was made still signs in (200), and /me says passwordBreached: true', async () => {
    const credentials = newCredentials({ password: passphrase('listed later') });
    const { email, password } = credentials;
    expect((await supertest(t.app).post('/api/auth/register').send(credentials)).status).toBe(202);
    expect((await me((await signIn(t, credentials)).agent)).user.passwordBreached).toBe(false);

    range.list(password);
    const { agent, response } = await signIn(t, { email, password });
    expect(response.status).toBe(200);
    expect((await me(agent)).user.passwordBreached).toBe(true);
    expect(t.logLines().some((line) => line.authEvent === 'breached_password_signed_in')).toBe(true);

    // Looked up at each sign-in, not remembered: once the corpus no longer lists it, a new sign-in is clean.
    range.unlist(password);
    expect((await me((await signIn(t, { email, password })).agent)).user.passwordBreached).toBe(false);
    // The session signed in while it was listed keeps what its sign-in found.
    expect((await me(agent)).user.passwordBreached).toBe(true);
  });

  it('a wrong password is refused as before (401), listed or not', async () => {
    const account = await createAccount(t);
    const wrong = passphrase('wrong guess');
    range.list(wrong);
    const res = await supertest(t.app).post('/api/auth/login').send({ email: account.email, password: wrong });
    expect(res.status).toBe(401);
    expect(errorOf(res.body).code).toBe('invalid_credentials');
  });

  it('the look-up runs while the password is hashed, not after it', async () => {
    const timings: { verifyStarted: number; verifyEnded: number }[] = [];
    const base = createPasswordHasher(TEST_HASHING_COST);
    const slowHasher = {
      ...base,
      async verify(hash: string, password: string) {
        const verifyStarted = performance.now();
        await new Promise((resolve) => setTimeout(resolve, 300));
        const result = await base.verify(hash, password);
        timings.push({ verifyStarted, verifyEnded: performance.now() });
        return result;
      },
    };
    const paced = await createTestApp({ hasher: slowHasher, breachedPasswords: { rangeUrl: range.rangeUrl, timeoutMs: PWNED_PASSWORDS_TIMEOUT_MS } });
    try {
      const account = await createAccount(paced);
      const before = range.requests.length;
      await signIn(paced, account);
      const [lookUp] = range.requests.slice(before);
      const [check] = timings;
      expect(lookUp && check).toBeTruthy();
      expect(lookUp?.at).toBeLessThan(check?.verifyEnded ?? 0);
    } finally {
      await paced.close();
    }
  });

  it('S48: the flag survives the second step of a two-factor sign-in', async () => {
    const clock = testClock();
    const twoFactor = await createTestApp({ clock, breachedPasswords: { rangeUrl: range.rangeUrl, timeoutMs: PWNED_PASSWORDS_TIMEOUT_MS } });
    try {
      const account = await createAccount(twoFactor, { password: passphrase('two factors, listed') });
      const { secret } = await enrolTotp((await signIn(twoFactor, account)).agent, clock);
      range.list(account.password);
      const agent = twoFactor.agent();
      await passwordStep(agent, account);
      clock.advance();
      const done = await agent.post('/api/auth/login/second-factor').send({ code: totpCode(secret, clock()) });
      expect(done.status, JSON.stringify(done.body)).toBe(200);
      expect((await me(agent)).user.passwordBreached).toBe(true);
    } finally {
      await twoFactor.close();
    }
  });

  it('a password change refuses a listed new password, and a clean one clears the flag of the session kept', async () => {
    const account = await createAccount(t, { password: passphrase('old, listed') });
    range.list(account.password);
    const { agent } = await signIn(t, account);
    expect((await me(agent)).user.passwordBreached).toBe(true);

    const listed = passphrase('new but listed');
    range.list(listed);
    const refused = await agent.post('/api/auth/password').send({ currentPassword: account.password, newPassword: listed });
    expect(refused.status).toBe(400);
    expect(errorOf(refused.body)).toMatchObject({ code: 'password_breached', fields: { newPassword: expect.stringMatching(/data breach/) as unknown } });

    const changed = await agent.post('/api/auth/password').send({ currentPassword: account.password, newPassword: passphrase('new and clean') });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect((await me(agent)).user.passwordBreached).toBe(false);
  });

  it('a reset refuses a listed password and leaves the link working for another', async () => {
    const account = await createAccount(t);
    expect((await supertest(t.app).post('/api/auth/password/forgot').send({ email: account.email })).status).toBe(202);
    const token = tokenIn(await lastMailTo(t, account.email, 'set a new password'));
    const listed = passphrase('reset but listed');
    range.list(listed);
    const refused = await supertest(t.app).post('/api/auth/password/reset').send({ token, password: listed });
    expect(refused.status).toBe(400);
    expect(errorOf(refused.body)).toMatchObject({ code: 'password_breached', fields: { password: expect.any(String) as unknown } });
    const clean = passphrase('reset and clean');
    expect((await supertest(t.app).post('/api/auth/password/reset').send({ token, password: clean })).status).toBe(200);
    await signIn(t, { email: account.email, password: clean });
  });

  it('S48 fail open: a range API answering 503 lets registration (202) and sign-in (200) through, with a log line', async () => {
    range.failWith(503);
    const password = passphrase('service failing');
    range.list(password);
    expect((await supertest(t.app).post('/api/auth/register').send(newCredentials({ password }))).status).toBe(202);
    const account = await createAccount(t, { password });
    expect((await me((await signIn(t, account)).agent)).user.passwordBreached).toBe(false);
    const failures = t.logLines().filter((line) => line.breachLookup === 'failed');
    expect(failures.length).toBeGreaterThanOrEqual(2);
    expect(String(failures.at(-1)?.reason)).toContain('503');
    expect(t.logText()).not.toContain(sha1(password).slice(0, 5) + sha1(password).slice(5, 10));
  });

  it('S48 fail open: a range API slower than 1.5 s is given up on; registration and sign-in answer within the time-out', async () => {
    range.delayAnswers(4000);
    const password = passphrase('service slow');
    range.list(password);
    let startedAt = performance.now();
    expect((await supertest(t.app).post('/api/auth/register').send(newCredentials({ password }))).status).toBe(202);
    expect(performance.now() - startedAt).toBeLessThan(3500);
    const account = await createAccount(t, { password });
    startedAt = performance.now();
    const { agent } = await signIn(t, account);
    const elapsed = performance.now() - startedAt;
    expect(elapsed).toBeGreaterThanOrEqual(PWNED_PASSWORDS_TIMEOUT_MS - 50);
    expect(elapsed).toBeLessThan(3500);
    expect((await me(agent)).user.passwordBreached).toBe(false);
    expect(t.logLines().some((line) => line.breachLookup === 'failed' && String(line.reason).includes('1500 ms'))).toBe(true);
  });
});

describe('breached passwords when the range API is down', () => {
  it('S48 fail open: nobody listening at PWNED_PASSWORDS_URL: registration 202 and sign-in 200, with a log line', async () => {
    const range = await startRangeServer();
    const { rangeUrl } = range;
    await range.close();
    const t = await createTestApp({ breachedPasswords: { rangeUrl, timeoutMs: PWNED_PASSWORDS_TIMEOUT_MS } });
    try {
      const credentials = newCredentials({ password: passphrase('service down') });
      expect((await supertest(t.app).post('/api/auth/register').send(credentials)).status).toBe(202);
      const { agent } = await signIn(t, credentials);
      expect((await me(agent)).user.passwordBreached).toBe(false);
      const failure = t.logLines().find((line) => line.breachLookup === 'failed');
      expect(failure?.msg).toMatch(/fail open/);
      expect(String(failure?.reason)).toMatch(/ECONNREFUSED|fetch failed/);
    } finally {
      await t.close();
    }
  });
});

describe('the API as a process with PWNED_PASSWORDS_URL set', () => {
  it(
    'S48: listed → 400 password_breached at registration; listed after registering → sign-in 200 and passwordBreached: true; unlisted → 202',
    { timeout: 60_000 },
    async () => {
      const range = await startRangeServer();
      const api = await startApi({
        MONGODB_URI: databaseUri(uniqueDbName()),
        SESSION_SECRETS: TEST_SECRET,
        PWNED_PASSWORDS: 'on',
        PWNED_PASSWORDS_URL: range.rangeUrl,
      });
      try {
        const listed = newCredentials({ password: passphrase('process, listed') });
        range.list(listed.password);
        const refused = await httpRequest(api.baseUrl, '/api/auth/register', { method: 'POST', json: listed });
        expect(refused.status).toBe(400);
        expect(errorCode(refused)).toBe('password_breached');

        const later = newCredentials({ password: passphrase('process, listed later') });
        expect((await httpRequest(api.baseUrl, '/api/auth/register', { method: 'POST', json: later })).status).toBe(202);
        range.list(later.password);
        const signedIn = await httpRequest(api.baseUrl, '/api/auth/login', { method: 'POST', json: { email: later.email, password: later.password } });
        expect(signedIn.status).toBe(200);
        const meAnswer = await httpRequest(api.baseUrl, '/api/auth/me', { cookie: sessionCookie(signedIn) });
        expect(MeResponseSchema.parse(parseJson(meAnswer)).user.passwordBreached).toBe(true);

        expect(range.requests.every((request) => /^\/range\/[0-9A-F]{5}$/.test(request.url))).toBe(true);
        expect(api.output()).not.toContain(later.password);
        expect(api.output()).not.toContain(sha1(later.password).slice(5));
      } finally {
        await api.stop();
        await range.close();
      }
    },
  );
});

import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../test/test-app';
import type { TestApp } from '../test/test-app';
import { TEST_SECRET } from '../test/test-config';
import { newCredentials } from '../test/accounts';
import { cookieHeader, issuedCookie, unsignSid } from '../test/cookies';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ logLevel: 'trace' });
});
afterAll(() => t.close());

describe('S30: logs record auth events and never secrets', () => {
  it('S30: a full sign-in story is logged with ids, statuses and latency, without passwords, cookies, session ids or hashes', async () => {
    const credentials = newCredentials({ password: 'Tr0ub4dor & 3 lemon squeezy' });
    const newPassword = 'an unforgettable new secret phrase';
    const agent = t.agent();
    const secrets: string[] = [credentials.password, newPassword, 'a wrong guess for the log test'];

    await agent.post('/api/auth/register').send(credentials);
    const registered = await agent.post('/api/auth/login').send(credentials);
    const cookies = [issuedCookie(registered)];
    await supertest(t.app).post('/api/auth/login').send({ email: credentials.email, password: 'a wrong guess for the log test' });
    await supertest(t.app).post('/api/auth/login').send({ email: 'nobody@example.com', password: 'a wrong guess for the log test' });
    cookies.push(issuedCookie(await agent.post('/api/auth/login').send(credentials)));
    cookies.push(issuedCookie(await agent.post('/api/auth/reauth').send({ password: credentials.password })));
    cookies.push(issuedCookie(await agent.post('/api/auth/password').send({ currentPassword: credentials.password, newPassword })));
    await agent.get(`/api/auth/me?sid=${unsignSid(cookies[0] ?? issuedCookie(registered), TEST_SECRET)}`);
    await agent.post('/api/auth/logout');
    await supertest(t.app)
      .get('/api/auth/me')
      .set('Cookie', cookieHeader(cookies[1] ?? issuedCookie(registered)));
    await supertest(t.app)
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send(`{"email":"x@example.com","password":"${credentials.password}"`);

    const hashes = await t.connection.collection<{ passwordHash: string }>('users').find({}).toArray();
    for (const cookie of cookies) {
      secrets.push(cookie.value, encodeURIComponent(cookie.value), unsignSid(cookie, TEST_SECRET));
    }
    secrets.push(...hashes.map((user) => user.passwordHash), '$argon2');

    const text = t.logText();
    expect(text.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(text, `log contains ${secret.slice(0, 12)}…`).not.toContain(secret);

    const lines = t.logLines();
    const events = lines.map((line) => line.authEvent).filter(Boolean);
    expect(events).toEqual(expect.arrayContaining(['registered', 'sign_in_failed', 'sign_in', 'reauth', 'password_changed', 'sign_out']));
    const completed = lines.filter((line) => line.msg === 'request completed' || line.msg === 'request errored');
    expect(completed.length).toBeGreaterThanOrEqual(10);
    for (const line of completed) {
      expect(line).toHaveProperty('responseTime');
      expect((line.req as { id?: string }).id).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect(completed.some((line) => typeof line.userId === 'string')).toBe(true);
  });
});

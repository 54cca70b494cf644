import express from 'express';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBodySchema } from '@gatehouse/types/errors';
import { errorMiddleware } from '../http/error-middleware';
import { createTestApp } from '../test/test-app';
import type { TestApp } from '../test/test-app';
import { TEST_SECRET } from '../test/test-config';
import { newCredentials } from '../test/accounts';
import { DEVICE_COOKIE, issuedCookie, unsignSid } from '../test/cookies';
import { lastMailTo, tokenIn } from '../test/mail';
import { register } from '../test/sign-in';

const EVIL = 'https://evil.example';

let t: TestApp;
let allowedOrigin: string;
beforeAll(async () => {
  t = await createTestApp({ allowedOrigins: ['http://localhost:5173'] });
  allowedOrigin = 'http://localhost:5173';
});
afterAll(() => t.close());

const errorCode = (body: unknown) => ErrorBodySchema.parse(body).error.code;

describe('S14: cross-site requests', () => {
  it('S14: refuses a state change marked Sec-Fetch-Site: cross-site, even a sign-in', async () => {
    const credentials = await register(t.agent());
    const res = await supertest(t.app).post('/api/auth/login').set('Sec-Fetch-Site', 'cross-site').send(credentials);
    expect(res.status).toBe(403);
    expect(errorCode(res.body)).toBe('cross_site_request');
  });

  it('S14: refuses a same-site (sibling subdomain) request whose origin is not allowed', async () => {
    const res = await supertest(t.app).post('/api/auth/logout').set('Sec-Fetch-Site', 'same-site').set('Origin', 'https://other.localhost');
    expect(res.status).toBe(403);
  });

  it('S14: refuses an unknown Origin when the browser sends no Sec-Fetch-Site', async () => {
    const res = await supertest(t.app).post('/api/auth/login').set('Origin', EVIL).send(newCredentials());
    expect(res.status).toBe(403);
    expect((await supertest(t.app).post('/api/auth/login').set('Origin', 'null').send(newCredentials())).status).toBe(403);
  });

  it('S14: allows same-origin requests, the allowlisted dev origin, and non-browser clients that send neither header', async () => {
    const credentials = await register(t.agent());
    const body = { email: credentials.email, password: credentials.password };
    expect((await supertest(t.app).post('/api/auth/login').set('Sec-Fetch-Site', 'same-origin').send(body)).status).toBe(200);
    expect((await supertest(t.app).post('/api/auth/login').set('Sec-Fetch-Site', 'same-site').set('Origin', allowedOrigin).send(body)).status).toBe(200);
    expect((await supertest(t.app).post('/api/auth/login').send(body)).status).toBe(200);
  });

  it('S14: bodies must be JSON: text/plain and form posts get 415', async () => {
    const text = await supertest(t.app).post('/api/auth/login').set('Content-Type', 'text/plain').send('{"email":"a@b.co","password":"x"}');
    expect(text.status).toBe(415);
    expect(errorCode(text.body)).toBe('unsupported_media_type');
    const form = await supertest(t.app).post('/api/auth/login').type('form').send({ email: 'a@b.co', password: 'x' });
    expect(form.status).toBe(415);
    const multipart = await supertest(t.app).post('/api/auth/logout').field('a', 'b');
    expect(multipart.status).toBe(415);
  });

  it('S14: GET never changes state: GET on sign-out is 405 and the session lives on', async () => {
    const agent = t.agent();
    await register(agent);
    const res = await agent.get('/api/auth/logout');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('POST');
    expect((await agent.get('/api/auth/me')).status).toBe(200);
  });

  it('S14: a POST that takes no body may come empty, with or without Content-Type: application/json; an empty form post is still 415', async () => {
    const agent = t.agent();
    await register(agent);
    const declared = await agent.post('/api/sessions/current/extend').set('Content-Type', 'application/json');
    expect(declared.status).toBe(200);
    const undeclared = await agent.post('/api/sessions/current/extend');
    expect(undeclared.status).toBe(200);
    const form = await agent.post('/api/auth/logout').set('Content-Type', 'application/x-www-form-urlencoded');
    expect(form.status).toBe(415);
    const signOut = await agent.post('/api/auth/logout').set('Content-Type', 'application/json; charset=utf-8');
    expect(signOut.status).toBe(204);
    expect((await agent.get('/api/auth/me')).status).toBe(401);
  });
});

describe('S15: CORS', () => {
  it('S15: an untrusted Origin gets no Access-Control-Allow-Origin, on requests and preflights', async () => {
    const simple = await supertest(t.app).get('/api/health').set('Origin', EVIL);
    expect(simple.headers['access-control-allow-origin']).toBeUndefined();
    expect(simple.headers['access-control-allow-credentials']).toBeUndefined();
    const preflight = await supertest(t.app).options('/api/auth/login').set('Origin', EVIL).set('Access-Control-Request-Method', 'POST');
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    expect(preflight.headers['access-control-allow-methods']).toBeUndefined();
  });

  it('S15: the allowlisted origin is echoed exactly, with credentials, never *', async () => {
    const res = await supertest(t.app).get('/api/health').set('Origin', allowedOrigin);
    expect(res.headers['access-control-allow-origin']).toBe(allowedOrigin);
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.headers.vary).toMatch(/Origin/);
    const lookalike = await supertest(t.app).get('/api/health').set('Origin', `${allowedOrigin}.evil.example`);
    expect(lookalike.headers['access-control-allow-origin']).toBeUndefined();
  });
});

describe('S22: NoSQL operator injection', () => {
  const injections: [string, unknown][] = [
    ['$ne email', { email: { $ne: null }, password: 'whatever' }],
    ['$gt password', { email: 'a@example.com', password: { $gt: '' } }],
    ['$regex email', { email: { $regex: '.*' }, password: 'whatever' }],
    ['$where', { $where: 'return true', password: 'whatever' }],
    ['top-level $or', { $or: [{ email: 'a@example.com' }], password: 'whatever' }],
    ['top-level $nor', { $nor: [{ email: 'nobody' }], password: 'whatever' }],
    ['array email', { email: ['a@example.com'], password: 'whatever' }],
  ];
  it.each(injections)('S22: login with %s is refused with 400, never 200 or 500', async (_name, body) => {
    const res = await supertest(t.app)
      .post('/api/auth/login')
      .send(body as object);
    expect(res.status).toBe(400);
    expect(errorCode(res.body)).toBe('validation_failed');
  });

  it('S22: operators in the query string have no effect', async () => {
    const res = await supertest(t.app).get('/api/auth/me?email[$ne]=x&userId[$ne]=x');
    expect(res.status).toBe(401);
    const login = await supertest(t.app).post('/api/auth/login?email[$ne]=x').send({ email: 'nobody@example.com', password: 'x' });
    expect(login.status).toBe(401);
  });
});

describe('S23: body limits and malformed input', () => {
  it('S23: a body over 10 kB gets 413 payload_too_large', async () => {
    const res = await supertest(t.app)
      .post('/api/auth/login')
      .set('Content-Type', 'application/json')
      .send(JSON.stringify({ email: 'a@example.com', password: 'x'.repeat(11_000) }));
    expect(res.status).toBe(413);
    expect(errorCode(res.body)).toBe('payload_too_large');
  });

  it('S23: truncated JSON gets 400 malformed_body', async () => {
    const res = await supertest(t.app).post('/api/auth/login').set('Content-Type', 'application/json').send('{"email": "a@example.com", "pass');
    expect(res.status).toBe(400);
    expect(errorCode(res.body)).toBe('malformed_body');
  });

  it('S23: a top-level JSON string (non-strict JSON) gets 400', async () => {
    const res = await supertest(t.app).post('/api/auth/login').set('Content-Type', 'application/json').send('"hello"');
    expect(res.status).toBe(400);
  });

  it('S23: 10k-deep nesting gets 400 and the process keeps serving', async () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const res = await supertest(t.app).post('/api/auth/login').set('Content-Type', 'application/json').send(`{"email":${deep}}`);
    expect(res.status).toBe(400);
    expect(errorCode(res.body)).toBe('malformed_body');
    const deeper = await supertest(t.app).post('/api/auth/login').set('Content-Type', 'application/json').send('{"a":'.repeat(10_000));
    expect([400, 413]).toContain(deeper.status);
    expect((await supertest(t.app).get('/api/health')).status).toBe(200);
  });

  it('S23: __proto__ in a body has no effect on the account or on objects', async () => {
    const agent = t.agent();
    const email = `proto-${Date.now()}@example.com`;
    const res = await agent
      .post('/api/auth/register')
      .set('Content-Type', 'application/json')
      .send(
        `{"__proto__":{"role":"admin","isAdmin":true},"constructor":{"prototype":{"polluted":true}},"name":"Proto","email":"${email}","password":"correct horse battery staple"}`,
      );
    expect(res.status).toBe(202);
    const signedIn = await agent.post('/api/auth/login').send({ email, password: 'correct horse battery staple' });
    expect(signedIn.body.user.role).toBe('user');
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('S24: security headers', () => {
  it('S24: API answers are no-store, nosniff, no referrer, and nothing may load or frame them; no X-Powered-By', async () => {
    const agent = t.agent();
    await register(agent);
    const res = await agent.get('/api/auth/me');
    expect(res.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cross-origin-resource-policy']).toBe('same-origin');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['strict-transport-security']).toBeUndefined();
    // Headers that act on documents only are left to the web app's pages.
    expect(res.headers['cross-origin-opener-policy']).toBeUndefined();
    // An error answered by the error middleware carries the same set.
    const refused = await supertest(t.app).get('/api/auth/me');
    expect(refused.status).toBe(401);
    expect(refused.headers['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(refused.headers['cache-control']).toBe('no-store');
  });

  it("S24: the web app's pages get the strict page CSP (script-src 'self', nothing inline) and the page headers", async () => {
    const res = await supertest(t.app).get('/login');
    expect(res.headers['content-security-policy']).toMatch(/(^|;)script-src 'self'(;|$)/);
    expect(res.headers['content-security-policy']).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(res.headers['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('S24: production adds HSTS', async () => {
    const prod = await createTestApp({ isProduction: true, cookieName: '__Host-gh.sid' });
    try {
      const res = await supertest(prod.app).get('/api/health');
      expect(res.headers['strict-transport-security']).toMatch(/max-age=31536000; includeSubDomains/);
    } finally {
      await prod.close();
    }
  });
});

describe('S25: generic errors', () => {
  const leaks = /stack|at \w+ \(|\/work\/|node_modules|Mongo|E11000|CastError|ValidationError|\.ts:\d+/;

  it('S25: unknown API paths get a JSON 404 without internals', async () => {
    const res = await supertest(t.app).get('/api/does-not-exist');
    expect(res.status).toBe(404);
    expect(errorCode(res.body)).toBe('not_found');
    expect(res.text).not.toMatch(leaks);
  });

  it('S25: a duplicate key is reported as email_taken, not E11000', async () => {
    // Registration never tells (S34); a change of address can meet one: the new address was taken after the link went out.
    const credentials = await register(t.agent());
    const wanted = newCredentials().email;
    expect((await credentials.agent.post('/api/auth/email/change').send({ email: wanted })).status).toBe(202);
    const token = tokenIn(await lastMailTo(t, wanted, 'confirm your new email address'));
    await register(t.agent(), { email: wanted });
    const res = await supertest(t.app).post('/api/auth/email/verify').send({ token });
    expect(res.status).toBe(409);
    expect(ErrorBodySchema.parse(res.body).error.code).toBe('email_taken');
    expect(res.text).not.toMatch(leaks);
  });

  it('S25: a bad ObjectId in a path is a 4xx without CastError', async () => {
    const agent = t.agent();
    await register(agent);
    const res = await agent.post('/api/admin/users/not-an-id/disable');
    expect([400, 401, 403, 404]).toContain(res.status);
    expect(res.text).not.toMatch(leaks);
  });

  it('S25: an unexpected exception becomes 500 internal with no message, stack or path', async () => {
    const app = express();
    app.get('/boom', () => {
      throw new Error('E11000 duplicate key at /work/main/apps/api/src/secret.ts:12 MongoServerError');
    });
    app.use(errorMiddleware);
    const res = await supertest(app).get('/boom');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'internal', message: 'Something went wrong on our side.' } });
    expect(res.text).not.toMatch(leaks);
  });
});

describe('S26: nothing secret reaches the client; sessions store little', () => {
  it('S26: auth responses never carry the password, a hash or the raw session id', async () => {
    const agent = t.agent();
    const credentials = newCredentials();
    const registration = await agent.post('/api/auth/register').send(credentials);
    const registered = await agent.post('/api/auth/login').send(credentials);
    const sid = unsignSid(issuedCookie(registered), TEST_SECRET);
    const responses = [
      registration,
      registered,
      await agent.post('/api/auth/login').send(credentials),
      await agent.get('/api/auth/me'),
      await agent.post('/api/auth/reauth').send({ password: credentials.password }),
      await agent.get('/api/sessions'),
      await agent.get('/api/sessions/current'),
    ];
    for (const res of responses) {
      expect(res.text).not.toContain(credentials.password);
      expect(res.text).not.toContain('$argon2');
      expect(res.text).not.toContain(sid);
      expect(res.text).not.toMatch(/passwordHash/);
    }
  });

  it('S26: a stored session holds only the expected fields and no credential', async () => {
    const agent = t.agent();
    const credentials = newCredentials();
    await agent.post('/api/auth/register').send(credentials);
    const registered = await agent.post('/api/auth/login').send(credentials);
    const sid = unsignSid(issuedCookie(registered), TEST_SECRET);
    const doc = await t.connection.collection<{ _id: string; session: Record<string, unknown> }>('sessions').findOne({ _id: sid });
    // The device cookie's id stays in the browser: the session keeps only its one-way key.
    const [deviceId = ''] = issuedCookie(registered, DEVICE_COOKIE).value.split('.');
    expect(deviceId.length).toBeGreaterThan(20);
    expect(JSON.stringify(doc)).not.toContain(deviceId);
    expect(Object.keys(doc?.session ?? {}).sort()).toEqual(
      [
        'absoluteExpiresAt',
        'accountVersion',
        'assurance',
        'authMethods',
        'authenticatedAssurance',
        'authenticatedAt',
        'cookie',
        'createdAt',
        'device',
        'deviceKey',
        'ip',
        // Whether the password proven at sign-in was found in a breach corpus (S48): a flag, not the password.
        'passwordBreached',
        'rememberMe',
        'user',
        'userId',
      ].sort(),
    );
    expect(Object.keys((doc?.session.user as object | undefined) ?? {}).sort()).toEqual(['createdAt', 'email', 'emailVerified', 'id', 'name', 'role']);
    expect(JSON.stringify(doc)).not.toContain('$argon2');
    expect(JSON.stringify(doc)).not.toContain(credentials.password);
  });
});

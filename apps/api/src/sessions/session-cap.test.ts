import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActivityListResponse } from '@gatehouse/types/activity';
import type { ErrorBody } from '@gatehouse/types/errors';
import type { SessionLimitDetails, SessionListResponse } from '@gatehouse/types/sessions';
import { createAccount, IPHONE_SAFARI } from '../test/accounts';
import type { Account } from '../test/accounts';
import { providerConfig, signInWithProvider, startTestProvider } from '../test/oidc';
import { enrolTotp, passwordStep, testClock, totpCode } from '../test/second-factor';
import { sessionDocs, signIn, sleep } from '../test/sign-in';
import type { SignedIn } from '../test/sign-in';
import { createTestApp } from '../test/test-app';
import type { TestApp } from '../test/test-app';
import { decideCap } from './session-cap';
import type { SessionRecord } from './session-record';

const CAP = 3;
const RACERS = 50;
const ROUNDS = 8;

const liveSessionsOf = async (t: TestApp, userId: string) => (await sessionDocs(t, { 'session.userId': userId, expires: { $gt: new Date() } })).length;

const meStatus = async (t: TestApp, cookie: string) => (await supertest(t.app).get('/api/auth/me').set('Cookie', cookie)).status;

const listOf = async (signedIn: SignedIn): Promise<SessionListResponse> => {
  const res = await signedIn.agent.get('/api/sessions');
  expect(res.status).toBe(200);
  return res.body as SessionListResponse;
};

const login = (agent: supertest.Agent, account: Account) => agent.post('/api/auth/login').send({ email: account.email, password: account.password });

const limitOf = (res: supertest.Response): SessionLimitDetails => {
  const body = res.body as ErrorBody;
  expect(res.status, JSON.stringify(body)).toBe(409);
  expect(body.error.code).toBe('session_limit_reached');
  if (!body.error.sessionLimit) throw new Error('a refusal at the cap carries its sessions and a ticket');
  return body.error.sessionLimit;
};

describe('decideCap', () => {
  const record = (sid: string, lastActive: number) => ({ sid, lastActiveAt: new Date(lastActive) }) as SessionRecord;
  const live = [record('new', 500), record('a', 100), record('b', 300), record('c', 200)];

  it('keeps the new session and the most recently active others under evict-oldest', () => {
    expect(decideCap({ max: 3, policy: 'evict-oldest' }, 'new', live)).toEqual({ kind: 'evict', evicted: [record('a', 100)] });
  });

  it('never evicts the new session, even when it is the least recently active', () => {
    const decision = decideCap({ max: 1, policy: 'evict-oldest' }, 'c', live);
    expect(decision.kind === 'evict' && decision.evicted.map((r) => r.sid)).toEqual(['new', 'b', 'a']);
  });

  it('refuses over the cap and lists the others under refuse', () => {
    const decision = decideCap({ max: 3, policy: 'refuse' }, 'new', live);
    expect(decision.kind === 'refuse' && decision.others.map((r) => r.sid)).toEqual(['b', 'c', 'a']);
  });

  it('does nothing at or under the cap, or without one', () => {
    expect(decideCap({ max: 4, policy: 'refuse' }, 'new', live)).toEqual({ kind: 'within' });
    expect(decideCap({ max: 0, policy: 'refuse' }, 'new', live)).toEqual({ kind: 'within' });
  });
});

describe('MAX_SESSIONS_PER_ACCOUNT=3, evict-oldest', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ maxSessionsPerAccount: CAP, sessionLimitPolicy: 'evict-oldest' });
  });
  afterAll(() => t.close());

  it('after a 4th sign-in the 1st cookie gets 401 and GET /api/sessions lists 3', async () => {
    const account = await createAccount(t);
    const [first, second, third] = [await signIn(t, account), await signIn(t, account), await signIn(t, account)];
    const fourth = await signIn(t, account, { userAgent: IPHONE_SAFARI });
    expect(await meStatus(t, first.cookie)).toBe(401);
    for (const kept of [second, third, fourth]) expect(await meStatus(t, kept.cookie)).toBe(200);
    const list = await listOf(fourth);
    expect(list.sessions).toHaveLength(3);
    expect(list.cap).toEqual({ max: 3, policy: 'evict-oldest' });
  });

  it('ends the least recently active other session, and records it as session_evicted (S46)', async () => {
    const account = await createAccount(t);
    const first = await signIn(t, account);
    const second = await signIn(t, account);
    const third = await signIn(t, account);
    await sleep(5);
    // The first is used again ("Stay signed in" writes its activity now): the second is now the least recently active.
    expect((await first.agent.post('/api/sessions/current/extend').send()).status).toBe(200);
    const fourth = await signIn(t, account);
    expect(await meStatus(t, second.cookie)).toBe(401);
    for (const kept of [first, third, fourth]) expect(await meStatus(t, kept.cookie)).toBe(200);

    const activity = (await fourth.agent.get('/api/activity')).body as ActivityListResponse;
    const evicted = activity.events.filter((event) => event.type === 'session_evicted');
    expect(evicted).toHaveLength(1);
    expect(evicted[0]).toMatchObject({ actor: 'system', reason: 'evicted' });
  });

  it('a re-authentication at the cap (a new id for the same session) ends no other session', async () => {
    const account = await createAccount(t);
    const sessions = [await signIn(t, account), await signIn(t, account), await signIn(t, account)];
    const [first] = sessions;
    if (!first) throw new Error('three sessions');
    expect((await first.agent.post('/api/auth/reauth').send({ password: account.password })).status).toBe(200);
    expect((await first.agent.get('/api/auth/me')).status).toBe(200);
    for (const other of sessions.slice(1)) expect(await meStatus(t, other.cookie)).toBe(200);
    expect(await liveSessionsOf(t, account.id)).toBe(3);
  });

  it('does not count a pending second-step sign-in, and caps the session it becomes', async () => {
    const clock = testClock();
    const app = await createTestApp({ clock, maxSessionsPerAccount: 1, sessionLimitPolicy: 'evict-oldest' });
    try {
      const account = await createAccount(app);
      const owner = await signIn(app, account);
      const totp = await enrolTotp(owner.agent, clock);
      const browser = supertest.agent(app.app);
      expect((await passwordStep(browser, account)).body).toMatchObject({ secondFactorRequired: true });
      expect(await meStatus(app, owner.cookie)).toBe(200);
      clock.advance();
      expect((await browser.post('/api/auth/login/second-factor').send({ code: totpCode(totp.secret, clock()) })).status).toBe(200);
      expect(await meStatus(app, owner.cookie)).toBe(401);
      expect((await browser.get('/api/auth/me')).status).toBe(200);
      expect(await liveSessionsOf(app, account.id)).toBe(1);
    } finally {
      await app.close();
    }
  });

  it(`S46: ${RACERS} parallel sign-ins never leave more than ${CAP} sessions, ${ROUNDS} rounds`, async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const account = await createAccount(t);
      // Some sessions before the race, so evictions race with sign-ins as well as with each other.
      const before = [await signIn(t, account), await signIn(t, account)];
      const responses = await Promise.all(Array.from({ length: RACERS }, () => login(supertest.agent(t.app), account)));
      for (const res of responses) expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(await liveSessionsOf(t, account.id)).toBeLessThanOrEqual(CAP);
      expect(await liveSessionsOf(t, account.id)).toBeGreaterThan(0);
      const cookies = [...before.map((b) => b.cookie), ...responses.map((res) => (res.headers['set-cookie'] as unknown as string[])[0]?.split(';')[0] ?? '')];
      const working = (await Promise.all(cookies.map((cookie) => meStatus(t, cookie)))).filter((status) => status === 200);
      expect(working.length).toBeLessThanOrEqual(CAP);
    }
  }, 240_000);
});

describe('MAX_SESSIONS_PER_ACCOUNT=3, refuse', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ maxSessionsPerAccount: CAP, sessionLimitPolicy: 'refuse' });
  });
  afterAll(() => t.close());

  it('the 4th sign-in gets 409 session_limit_reached, with the 3 sessions and a ticket; the 3 stay', async () => {
    const account = await createAccount(t);
    const kept = [await signIn(t, account), await signIn(t, account), await signIn(t, account)];
    const limit = limitOf(await login(supertest.agent(t.app), account));
    expect(limit.max).toBe(3);
    expect(limit.sessions).toHaveLength(3);
    expect(limit.ticket).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Date(limit.expiresAt).getTime()).toBeGreaterThan(Date.now());
    for (const session of kept) expect(await meStatus(t, session.cookie)).toBe(200);
    expect(await liveSessionsOf(t, account.id)).toBe(3);
    expect((await listOf(kept[0] as SignedIn)).cap).toEqual({ max: 3, policy: 'refuse' });
  });

  it('the ticket ends the chosen session and finishes the sign-in, once', async () => {
    const account = await createAccount(t);
    const [first, second, third] = [await signIn(t, account), await signIn(t, account), await signIn(t, account)];
    const browser = supertest.agent(t.app);
    const limit = limitOf(await login(browser, account));
    const chosen = limit.sessions.find((session) => session.handle === (limit.sessions[limit.sessions.length - 1] as { handle: string }).handle);
    if (!chosen) throw new Error('a session to choose');
    const done = await browser.post('/api/auth/login/session-limit').send({ ticket: limit.ticket, endSession: chosen.handle });
    expect(done.status, JSON.stringify(done.body)).toBe(200);
    expect((done.body as { user: { email: string } }).user.email).toBe(account.email);
    expect((await browser.get('/api/auth/me')).status).toBe(200);
    const statuses = await Promise.all([first, second, third].map((s) => meStatus(t, s.cookie)));
    expect(statuses.filter((status) => status === 401)).toHaveLength(1);
    expect(await liveSessionsOf(t, account.id)).toBe(3);

    const again = await browser.post('/api/auth/login/session-limit').send({ ticket: limit.ticket, endSession: chosen.handle });
    expect(again.status).toBe(400);
    expect((again.body as ErrorBody).error.code).toBe('invalid_token');
  });

  it('a ticket is worth nothing without the password: in another browser, made up, or after the password changed', async () => {
    const account = await createAccount(t);
    const owner = await signIn(t, account);
    await signIn(t, account);
    await signIn(t, account);
    const handle = (await listOf(owner)).sessions[0]?.handle ?? '';

    const stolen = limitOf(await login(supertest.agent(t.app), account));
    const elsewhere = await supertest.agent(t.app).post('/api/auth/login/session-limit').send({ ticket: stolen.ticket, endSession: handle });
    expect(elsewhere.status).toBe(400);
    const madeUp = await supertest
      .agent(t.app)
      .post('/api/auth/login/session-limit')
      .send({ ticket: 'x'.repeat(43), endSession: handle });
    expect(madeUp.status).toBe(400);
    const malformed = await supertest.agent(t.app).post('/api/auth/login/session-limit').send({ ticket: 'short', endSession: 'no' });
    expect(malformed.status).toBe(400);
    expect((malformed.body as ErrorBody).error.code).toBe('validation_failed');

    const browser = supertest.agent(t.app);
    const limit = limitOf(await login(browser, account));
    const changed = await owner.agent.post('/api/auth/password').send({ currentPassword: account.password, newPassword: 'a brand new passphrase for this' });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    const late = await browser.post('/api/auth/login/session-limit').send({ ticket: limit.ticket, endSession: handle });
    expect(late.status).toBe(409);
    expect((late.body as ErrorBody).error.code).toBe('account_changed');
    expect((await browser.get('/api/auth/me')).status).toBe(401);
  });

  it('a ticket is given only after the second factor: the password step alone is a pending sign-in that does not count', async () => {
    const clock = testClock();
    const app = await createTestApp({ clock, maxSessionsPerAccount: 1, sessionLimitPolicy: 'refuse' });
    try {
      const account = await createAccount(app);
      const owner = await signIn(app, account);
      const totp = await enrolTotp(owner.agent, clock);
      const browser = supertest.agent(app.app);
      const step = await passwordStep(browser, account);
      expect(step.status).toBe(200);
      expect(step.body).toMatchObject({ secondFactorRequired: true });
      clock.advance();
      const limit = limitOf(await browser.post('/api/auth/login/second-factor').send({ code: totpCode(totp.secret, clock()) }));
      const handle = limit.sessions[0]?.handle ?? '';
      const done = await browser.post('/api/auth/login/session-limit').send({ ticket: limit.ticket, endSession: handle });
      expect(done.status, JSON.stringify(done.body)).toBe(200);
      expect(await meStatus(app, owner.cookie)).toBe(401);
      const me = await browser.get('/api/auth/me');
      expect(me.status).toBe(200);
      expect((me.body as { session: { assurance: string } }).session.assurance).toBe('aal2');
    } finally {
      await app.close();
    }
  });

  it('a provider sign-in at the cap lands on the sign-in page with session_limit_reached, and starts nothing', async () => {
    const provider = await startTestProvider();
    const app = await createTestApp({ maxSessionsPerAccount: 1, sessionLimitPolicy: 'refuse', ...providerConfig(provider.issuer) });
    try {
      const email = `cap-oidc-${Math.random().toString(36).slice(2, 10)}@example.com`;
      const first = supertest.agent(app.app);
      expect((await signInWithProvider(first, email)).headers.location).toBe('/');
      const second = supertest.agent(app.app);
      const refused = await signInWithProvider(second, email);
      expect(refused.status).toBe(302);
      expect(refused.headers.location).toBe('/login?oidc_error=session_limit_reached&provider=test');
      expect((await second.get('/api/auth/me')).status).toBe(401);
      expect((await first.get('/api/auth/me')).status).toBe(200);
    } finally {
      await app.close();
      await provider.close();
    }
  });

  it(`S46: ${RACERS} parallel sign-ins never leave more than ${CAP} sessions, ${ROUNDS} rounds`, async () => {
    for (let round = 0; round < ROUNDS; round += 1) {
      const account = await createAccount(t);
      if (round % 2 === 1) await signIn(t, account);
      const responses = await Promise.all(Array.from({ length: RACERS }, () => login(supertest.agent(t.app), account)));
      for (const res of responses) expect([200, 409]).toContain(res.status);
      const admitted = responses.filter((res) => res.status === 200).length;
      const live = await liveSessionsOf(t, account.id);
      expect(live).toBeLessThanOrEqual(CAP);
      expect(admitted + (round % 2)).toBeGreaterThanOrEqual(live);
    }
  }, 240_000);
});

import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdminSessionListResponseSchema } from '@gatehouse/types/admin';
import { SessionListResponseSchema } from '@gatehouse/types/sessions';
import { createAccount, IPHONE_SAFARI } from '../test/accounts';
import { lastMailTo } from '../test/mail';
import { signIn, signInAdmin } from '../test/sign-in';
import { createTestApp } from '../test/test-app';
import type { TestApp } from '../test/test-app';

const PUBLIC_IP = '81.2.69.142';

async function signInFrom(t: TestApp, account: { email: string; password: string }, forwardedFor: string, agent = supertest.agent(t.app)) {
  const res = await agent
    .post('/api/auth/login')
    .set('X-Forwarded-For', forwardedFor)
    .set('User-Agent', IPHONE_SAFARI)
    .send({ email: account.email, password: account.password });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return agent;
}

describe('where sessions are, behind a trusted proxy', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ trustProxy: 'loopback' });
  });
  afterAll(() => t.close());

  it('the forwarded address is placed on the session card; the direct one reads "Local network"', async () => {
    const account = await createAccount(t);
    const here = await signIn(t, account);
    await signInFrom(t, account, PUBLIC_IP);
    const { sessions } = SessionListResponseSchema.parse((await here.agent.get('/api/sessions')).body);
    const byIp = new Map(sessions.map((session) => [session.ip, session.location]));
    expect(byIp.get('127.0.0.1') ?? byIp.get('::ffff:127.0.0.1')).toEqual({ city: null, country: null, label: 'Local network' });
    expect(byIp.get(PUBLIC_IP)).toMatchObject({ country: 'United Kingdom', label: expect.stringMatching(/United Kingdom$/) });
  });

  it('the admin sessions view shows the place too', async () => {
    const account = await createAccount(t);
    await signInFrom(t, account, PUBLIC_IP);
    const admin = await signInAdmin(t);
    const res = await admin.agent.get('/api/admin/sessions').query({ email: account.email });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const { sessions } = AdminSessionListResponseSchema.parse(res.body);
    expect(sessions.map((session) => session.location?.country)).toEqual(['United Kingdom']);
  });

  it('the new-device mail says where the sign-in came from', async () => {
    const account = await createAccount(t);
    await signIn(t, account);
    await signInFrom(t, account, PUBLIC_IP);
    await t.services.jobs.settled();
    const mail = await lastMailTo(t, account.email, 'new sign-in');
    expect(mail.text).toMatch(/Approximate location: .*United Kingdom/);
  });
});

describe('where sessions are, without a trusted proxy', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ trustProxy: false });
  });
  afterAll(() => t.close());

  it('a forwarded address is not believed: the place is the connection’s', async () => {
    const account = await createAccount(t);
    const agent = await signInFrom(t, account, PUBLIC_IP);
    const { sessions } = SessionListResponseSchema.parse((await agent.get('/api/sessions')).body);
    expect(sessions.map((session) => session.location?.label)).toEqual(['Local network']);
  });
});

describe('GEOIP=off', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ geoip: false, trustProxy: 'loopback' });
  });
  afterAll(() => t.close());

  it('sessions carry no place, and the new-device mail names none', async () => {
    const account = await createAccount(t);
    const here = await signIn(t, account);
    await signInFrom(t, account, PUBLIC_IP);
    const { sessions } = SessionListResponseSchema.parse((await here.agent.get('/api/sessions')).body);
    expect(sessions.map((session) => session.location)).toEqual([null, null]);
    await t.services.jobs.settled();
    expect((await lastMailTo(t, account.email, 'new sign-in')).text).not.toContain('Approximate location');
  });
});

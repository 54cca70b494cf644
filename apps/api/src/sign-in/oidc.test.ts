import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeResponseSchema } from '@gatehouse/types/auth';
import { ConnectionsResponseSchema, OidcRedirectResponseSchema } from '@gatehouse/types/oidc';
import { SessionListResponseSchema } from '@gatehouse/types/sessions';
import { ActivityListResponseSchema } from '@gatehouse/types/activity';
import type { LocalOidcProvider } from '../dev/local-oidc-provider';
import { createAccount } from '../test/accounts';
import { atProvider, pathOf, providerConfig, signInWithProvider, startAt, startTestProvider } from '../test/oidc';
import { enrolTotp, testClock, totpCode } from '../test/second-factor';
import { sessionDocs, signIn } from '../test/sign-in';
import { createTestApp } from '../test/test-app';
import type { TestApp } from '../test/test-app';
import { getUserModel } from '../users/user-model';

const landing = (res: supertest.Response) => new URL(res.headers.location as string, 'http://localhost:3000');
const uniqueEmail = (name: string) => `${name}-${Math.random().toString(36).slice(2, 10)}@example.com`;

describe('sign-in with an OpenID Connect provider (S49)', () => {
  const clock = testClock();
  let provider: LocalOidcProvider;
  let t: TestApp;
  beforeAll(async () => {
    provider = await startTestProvider();
    t = await createTestApp({ clock, reauthWindowSeconds: 3600, ...providerConfig(provider.issuer) });
  });
  afterAll(async () => {
    await t.close();
    await provider.close();
  });

  it('lists the configured provider for the sign-in page', async () => {
    expect((await supertest(t.app).get('/api/auth/oidc/providers')).body).toEqual({ providers: [{ id: 'test', name: 'Test IdP' }] });
  });

  it('start redirects to the provider with PKCE (S256), state and nonce', async () => {
    const url = new URL(await startAt(supertest.agent(t.app)));
    expect(url.origin).toBe(new URL(provider.issuer).origin);
    expect(url.searchParams.get('code_challenge_method')).toBe('S256');
    for (const parameter of ['code_challenge', 'state', 'nonce']) expect(url.searchParams.get(parameter)?.length).toBeGreaterThan(20);
    expect(url.searchParams.get('redirect_uri')).toBe('http://localhost:3000/api/auth/oidc/test/callback');
  });

  it('a new person whose provider verified the address gets a confirmed account and a session that says "oidc" and the provider', async () => {
    const email = uniqueEmail('newcomer');
    const agent = supertest.agent(t.app);
    const done = await signInWithProvider(agent, email);
    expect(done.status).toBe(302);
    expect(done.headers.location).toBe('/');
    const me = MeResponseSchema.parse((await agent.get('/api/auth/me')).body);
    expect(me.user).toMatchObject({ email, emailVerified: true });
    const current = SessionListResponseSchema.parse((await agent.get('/api/sessions')).body).sessions.find((session) => session.isCurrent);
    expect(current).toMatchObject({ authMethods: ['oidc'], signInProvider: 'Test IdP', assurance: 'aal1' });
    const activity = ActivityListResponseSchema.parse((await agent.get('/api/activity')).body).events;
    expect(activity.some((event) => event.type === 'sign_in' && event.providerName === 'Test IdP')).toBe(true);
  });

  it('loading the same callback URL again creates no other session (in that browser or another)', async () => {
    const email = uniqueEmail('replay');
    const agent = supertest.agent(t.app);
    const callback = await atProvider(await startAt(agent), email);
    expect((await agent.get(pathOf(callback))).headers.location).toBe('/');
    const userId = MeResponseSchema.parse((await agent.get('/api/auth/me')).body).user.id;
    const again = await agent.get(pathOf(callback));
    expect(landing(again).searchParams.get('oidc_error')).toBe('invalid_state');
    const elsewhere = supertest.agent(t.app);
    expect(landing(await elsewhere.get(pathOf(callback))).searchParams.get('oidc_error')).toBe('invalid_state');
    expect((await elsewhere.get('/api/auth/me')).status).toBe(401);
    expect(await sessionDocs(t, { 'session.userId': userId })).toHaveLength(1);
  });

  it('an existing password account is never linked by address: not signed in, told to connect from the dashboard, the owner sees the attempt', async () => {
    const account = await createAccount(t, { email: uniqueEmail('owner') });
    const agent = supertest.agent(t.app);
    const done = await signInWithProvider(agent, account.email);
    expect(landing(done).pathname).toBe('/login');
    expect(landing(done).searchParams.get('oidc_error')).toBe('account_exists');
    expect((await agent.get('/api/auth/me')).status).toBe(401);
    const owner = await signIn(t, account);
    const activity = ActivityListResponseSchema.parse((await owner.agent.get('/api/activity')).body).events;
    expect(activity.some((event) => event.type === 'oidc_sign_in_refused' && event.providerName === 'Test IdP')).toBe(true);
  });

  it('a provider account with email_verified: false creates no account and links nothing', async () => {
    const email = uniqueEmail('unverified');
    const done = await signInWithProvider(supertest.agent(t.app), `unverified.${email}`);
    expect(landing(done).searchParams.get('oidc_error')).toBe('unverified_email');
    expect(await getUserModel(t.connection).countDocuments({ email })).toBe(0);
  });

  it('connected from the dashboard (fresh re-authentication), the provider then signs in to that account; an account with an authenticator app takes its second step before any session exists', async () => {
    const account = await createAccount(t, { email: uniqueEmail('connect') });
    const owner = await signIn(t, account);
    const totp = await enrolTotp(owner.agent, clock);
    const connect = await owner.agent.post('/api/account/connections/test').send({});
    expect(connect.status, JSON.stringify(connect.body)).toBe(200);
    const back = await atProvider(OidcRedirectResponseSchema.parse(connect.body).url, account.email);
    const connected = await owner.agent.get(pathOf(back));
    expect(connected.headers.location).toBe('/?connected=test');
    const connections = ConnectionsResponseSchema.parse((await owner.agent.get('/api/account/connections')).body);
    expect(connections.connections).toMatchObject([{ provider: 'test', name: 'Test IdP', email: account.email, canDisconnect: true }]);

    const browser = supertest.agent(t.app);
    const done = await signInWithProvider(browser, account.email);
    expect(done.headers.location).toBe('/login?second_step=1');
    expect((await browser.get('/api/auth/me')).status).toBe(401);
    expect((await browser.get('/api/auth/login/second-factor')).body).toEqual({ secondFactorRequired: true, methods: ['totp', 'recovery_code'] });
    clock.advance();
    expect((await browser.post('/api/auth/login/second-factor').send({ code: totpCode(totp.secret, clock()) })).status).toBe(200);
    const current = SessionListResponseSchema.parse((await browser.get('/api/sessions')).body).sessions.find((session) => session.isCurrent);
    expect(current).toMatchObject({ authMethods: ['oidc', 'totp'], assurance: 'aal2', signInProvider: 'Test IdP' });
  });

  it('a provider account connected to one Gatehouse account cannot be connected to another (already_linked)', async () => {
    const email = uniqueEmail('taken');
    await signInWithProvider(supertest.agent(t.app), email);
    const other = await signIn(t, await createAccount(t, { email: uniqueEmail('other') }));
    const connect = OidcRedirectResponseSchema.parse((await other.agent.post('/api/account/connections/test').send({})).body);
    const back = await atProvider(connect.url, email);
    expect((await other.agent.get(pathOf(back))).headers.location).toBe('/?oidc_error=already_linked&provider=test');
  });

  it('the last way to sign in cannot be disconnected (409 last_sign_in_method)', async () => {
    const agent = supertest.agent(t.app);
    await signInWithProvider(agent, uniqueEmail('only'));
    const connections = ConnectionsResponseSchema.parse((await agent.get('/api/account/connections')).body);
    expect(connections.connections[0]?.canDisconnect).toBe(false);
    const refused = await agent.delete('/api/account/connections/test');
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: { code: 'last_sign_in_method' } });
  });

  it('an account made through a provider has no password: password sign-in fails for it, and it confirms it is you with the provider', async () => {
    const email = uniqueEmail('nopassword');
    const agent = supertest.agent(t.app);
    await signInWithProvider(agent, email);
    expect((await supertest(t.app).post('/api/auth/login').send({ email, password: 'any password at all' })).status).toBe(401);
    const reauth = OidcRedirectResponseSchema.parse((await agent.post('/api/auth/oidc/test/reauth').send({})).body);
    const back = await atProvider(reauth.url, email);
    expect((await agent.get(pathOf(back))).headers.location).toBe('/?reauthenticated=test');
  });

  it('denied consent at the provider lands on the sign-in page with "denied"', async () => {
    const agent = supertest.agent(t.app);
    const back = await atProvider(await startAt(agent), uniqueEmail('denier'), { deny: true });
    expect(landing(await agent.get(pathOf(back))).searchParams.get('oidc_error')).toBe('denied');
    expect((await agent.get('/api/auth/me')).status).toBe(401);
  });

  it('a tampered state or a nonce that does not match gives no session (exchange_failed)', async () => {
    const agent = supertest.agent(t.app);
    const back = await atProvider(await startAt(agent), uniqueEmail('tamper'));
    back.searchParams.set('state', 'not-the-state-that-was-sent');
    expect(landing(await agent.get(pathOf(back))).searchParams.get('oidc_error')).toBe('exchange_failed');

    const second = supertest.agent(t.app);
    const secondBack = await atProvider(await startAt(second), uniqueEmail('nonce'));
    await t.connection.collection('oidc_flows').updateMany({}, { $set: { nonce: 'another-nonce-than-the-id-token-carries' } });
    expect(landing(await second.get(pathOf(secondBack))).searchParams.get('oidc_error')).toBe('exchange_failed');
    expect((await second.get('/api/auth/me')).status).toBe(401);
  });

  it('a code replayed with a restored flow is refused by the provider (exchange_failed), no second session', async () => {
    const email = uniqueEmail('code');
    const agent = supertest.agent(t.app);
    const providerUrl = await startAt(agent);
    const saved = await t.connection.collection('oidc_flows').find({}).toArray();
    const flowCookie = (agent as unknown as { jar: { getCookie(name: string, options: object): { value: string } | undefined } }).jar.getCookie('gh.oidc', {
      domain: '127.0.0.1',
      path: '/',
      script: false,
      secure: false,
    });
    const back = await atProvider(providerUrl, email);
    expect((await agent.get(pathOf(back))).headers.location).toBe('/');
    // Put back the flow the callback took, as if the server had not noticed it was used.
    const left = new Set((await t.connection.collection('oidc_flows').find({}).toArray()).map((doc) => String(doc._id)));
    await t.connection.collection('oidc_flows').insertMany(saved.filter((doc) => !left.has(String(doc._id))));
    const replay = await supertest(t.app)
      .get(pathOf(back))
      .set('Cookie', `gh.oidc=${flowCookie?.value ?? ''}`);
    expect(landing(replay).searchParams.get('oidc_error')).toBe('exchange_failed');
  });
});

describe('OpenID Connect providers that do not answer as they should (S49)', () => {
  let provider: LocalOidcProvider;
  beforeAll(async () => {
    provider = await startTestProvider();
  });
  afterAll(() => provider.close());

  it('a provider that cannot be reached: the sign-in page says so', async () => {
    const t = await createTestApp(providerConfig('http://localhost:9/'));
    try {
      const res = await supertest.agent(t.app).get('/api/auth/oidc/test/start');
      expect(res.status).toBe(302);
      expect(landing(res).searchParams.get('oidc_error')).toBe('unavailable');
    } finally {
      await t.close();
    }
  });

  it('a discovery document for another issuer is refused (wrong issuer)', async () => {
    const t = await createTestApp(providerConfig(provider.issuer.replace('localhost', '127.0.0.1')));
    try {
      const res = await supertest.agent(t.app).get('/api/auth/oidc/test/start');
      expect(landing(res).pathname).toBe('/login');
      expect(landing(res).searchParams.get('oidc_error')).toBe('exchange_failed');
    } finally {
      await t.close();
    }
  });

  it('a wrong client secret: the provider refuses the code exchange, no session', async () => {
    const t = await createTestApp(providerConfig(provider.issuer, { clientSecret: 'not-the-registered-secret' }));
    try {
      const agent = supertest.agent(t.app);
      const res = await signInWithProvider(agent, uniqueEmail('secret'));
      expect(landing(res).searchParams.get('oidc_error')).toBe('exchange_failed');
      expect((await agent.get('/api/auth/me')).status).toBe(401);
    } finally {
      await t.close();
    }
  });
});

import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivityListResponseSchema } from '@gatehouse/types/activity';
import { ErrorBodySchema } from '@gatehouse/types/errors';
import {
  PasskeyAuthenticationOptionsResponseSchema,
  PasskeyListResponseSchema,
  PasskeyRegistrationOptionsResponseSchema,
  PasskeyResponseSchema,
} from '@gatehouse/types/passkeys';
import type { PasskeyView } from '@gatehouse/types/passkeys';
import { SecondFactorPasskeyOptionsResponseSchema } from '@gatehouse/types/second-factor';
import { SessionListResponseSchema } from '@gatehouse/types/sessions';
import { createAccount } from '../test/accounts';
import type { Account } from '../test/accounts';
import { cookieHeader, issuedSessionCookie, unsignSid } from '../test/cookies';
import { passwordStep, testClock } from '../test/second-factor';
import { makeAuthStale, signIn, signInAdmin } from '../test/sign-in';
import type { SignedIn } from '../test/sign-in';
import { createTestApp } from '../test/test-app';
import type { TestApp } from '../test/test-app';
import { TEST_SECRET } from '../test/test-config';
import { SoftAuthenticator } from '../test/webauthn';
import type { CeremonyOverrides } from '../test/webauthn';
import { PASSKEYS_COLLECTION } from './passkey-store';

const ORIGIN = 'https://app.example.com';
const RP_ID = 'example.com';
const errorCode = (res: supertest.Response) => ErrorBodySchema.parse(res.body).error.code;

describe('passkeys', () => {
  const clock = testClock();
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ clock, webauthn: { rpId: RP_ID, origins: [ORIGIN] } });
  });
  afterAll(() => t.close());

  async function addPasskey(
    owner: SignedIn,
    authenticator: SoftAuthenticator,
    name = 'Laptop',
    overrides: CeremonyOverrides = {},
  ): Promise<supertest.Response> {
    const optionsRes = await owner.agent.post('/api/account/passkeys/options').send({});
    expect(optionsRes.status, JSON.stringify(optionsRes.body)).toBe(200);
    const { options } = PasskeyRegistrationOptionsResponseSchema.parse(optionsRes.body);
    return owner.agent.post('/api/account/passkeys').send({ name, credential: authenticator.register(options, overrides) });
  }

  async function withPasskey(): Promise<{ account: Account; owner: SignedIn; authenticator: SoftAuthenticator; passkey: PasskeyView }> {
    const account = await createAccount(t);
    const owner = await signIn(t, account);
    const authenticator = new SoftAuthenticator({ origin: ORIGIN, rpId: RP_ID });
    const added = await addPasskey(owner, authenticator);
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    return { account, owner, authenticator, passkey: PasskeyResponseSchema.parse(added.body).passkey };
  }

  async function signInOptions(agent = supertest.agent(t.app)) {
    const res = await agent.post('/api/auth/passkey/options').send({});
    expect(res.status).toBe(200);
    return { agent, options: PasskeyAuthenticationOptionsResponseSchema.parse(res.body).options };
  }

  it('registration options: RP ID and name from configuration, discoverable, user verification required, existing passkeys excluded', async () => {
    const { owner, authenticator } = await withPasskey();
    const { options } = PasskeyRegistrationOptionsResponseSchema.parse((await owner.agent.post('/api/account/passkeys/options').send({})).body);
    expect(options.rp).toEqual({ id: RP_ID, name: 'Gatehouse' });
    expect(options.authenticatorSelection).toMatchObject({ residentKey: 'required', userVerification: 'required' });
    expect(options.attestation).toBe('none');
    expect(options.excludeCredentials?.map((credential) => credential.id)).toEqual([authenticator.id]);
    expect(options.user.id).toBe(authenticator.userHandle);
  });

  it('adds several named passkeys, renames and removes them; every addition and removal is in the activity', async () => {
    const { owner, passkey } = await withPasskey();
    const second = new SoftAuthenticator({ origin: ORIGIN, rpId: RP_ID });
    expect((await addPasskey(owner, second, 'Phone')).status).toBe(201);
    let { passkeys } = PasskeyListResponseSchema.parse((await owner.agent.get('/api/account/passkeys')).body);
    expect(passkeys.map((item) => item.name)).toEqual(['Laptop', 'Phone']);

    const renamed = await owner.agent.patch(`/api/account/passkeys/${passkey.id}`).send({ name: '  Work laptop ' });
    expect(PasskeyResponseSchema.parse(renamed.body).passkey.name).toBe('Work laptop');
    expect((await owner.agent.patch(`/api/account/passkeys/${passkey.id}`).send({ name: '' })).status).toBe(400);
    expect((await owner.agent.delete(`/api/account/passkeys/${second.id}`)).status).toBe(204);
    expect((await owner.agent.delete(`/api/account/passkeys/${second.id}`)).status).toBe(404);
    ({ passkeys } = PasskeyListResponseSchema.parse((await owner.agent.get('/api/account/passkeys')).body));
    expect(passkeys.map((item) => item.name)).toEqual(['Work laptop']);

    const events = ActivityListResponseSchema.parse((await owner.agent.get('/api/activity')).body).events;
    expect(events.filter((event) => event.type.startsWith('passkey_')).map((event) => [event.type, event.passkeyName])).toEqual([
      ['passkey_removed', 'Phone'],
      ['passkey_added', 'Phone'],
      ['passkey_added', 'Laptop'],
    ]);
  });

  it("S13: adding and removing a passkey need a fresh proof; another account's passkey is not found", async () => {
    const { owner, passkey } = await withPasskey();
    const stranger = await signIn(t, await createAccount(t));
    expect((await stranger.agent.delete(`/api/account/passkeys/${passkey.id}`)).status).toBe(404);
    expect((await stranger.agent.patch(`/api/account/passkeys/${passkey.id}`).send({ name: 'Mine' })).status).toBe(404);
    await makeAuthStale(t, owner.sid);
    expect(errorCode(await owner.agent.post('/api/account/passkeys/options').send({}))).toBe('reauth_required');
    expect(errorCode(await owner.agent.delete(`/api/account/passkeys/${passkey.id}`))).toBe('reauth_required');
  });

  it('signs in without a password: a new session id whose methods say passkey; the counter moves on', async () => {
    const { account, authenticator } = await withPasskey();
    const { agent, options } = await signInOptions();
    expect(options.allowCredentials ?? []).toEqual([]);
    expect(options.userVerification).toBe('required');
    expect(options.rpId).toBe(RP_ID);
    const res = await agent.post('/api/auth/passkey').send({ credential: authenticator.assert(options) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.user.email).toBe(account.email);
    const { sessions } = SessionListResponseSchema.parse((await agent.get('/api/sessions')).body);
    expect(sessions.find((session) => session.isCurrent)?.authMethods).toEqual(['passkey']);
    const stored = await t.connection.collection<{ _id: string; counter: number }>(PASSKEYS_COLLECTION).findOne({ _id: authenticator.id });
    expect(stored?.counter).toBe(1);
    const events = ActivityListResponseSchema.parse((await agent.get('/api/activity')).body).events;
    expect(events[0]).toMatchObject({ type: 'sign_in', authMethods: ['passkey'] });
  });

  it('S38: an assertion made for another origin is refused', async () => {
    const { authenticator } = await withPasskey();
    const { agent, options } = await signInOptions();
    const res = await agent.post('/api/auth/passkey').send({ credential: authenticator.assert(options, { origin: 'https://evil.example.net' }) });
    expect(res.status).toBe(401);
    expect(errorCode(res)).toBe('passkey_rejected');
    expect((await agent.get('/api/auth/me')).status).toBe(401);
  });

  it('S38: an assertion for another RP ID is refused, and so is a registration for one', async () => {
    const { owner, authenticator } = await withPasskey();
    const { agent, options } = await signInOptions();
    expect(errorCode(await agent.post('/api/auth/passkey').send({ credential: authenticator.assert(options, { rpId: 'evil.example.net' }) }))).toBe(
      'passkey_rejected',
    );
    const other = new SoftAuthenticator({ origin: ORIGIN, rpId: 'evil.example.net' });
    const added = await addPasskey(owner, other, 'Elsewhere');
    expect(added.status).toBe(401);
    expect(errorCode(added)).toBe('passkey_rejected');
  });

  it('S38: a challenge works once: a replayed assertion and a reused challenge are refused', async () => {
    const { authenticator } = await withPasskey();
    const { agent, options } = await signInOptions();
    const credential = authenticator.assert(options);
    expect((await agent.post('/api/auth/passkey').send({ credential })).status).toBe(200);
    const replayed = await supertest(t.app).post('/api/auth/passkey').send({ credential });
    expect(errorCode(replayed)).toBe('passkey_rejected');
    // A fresh signature (higher counter) over the used challenge: still refused.
    expect(
      errorCode(
        await supertest(t.app)
          .post('/api/auth/passkey')
          .send({ credential: authenticator.assert(options) }),
      ),
    ).toBe('passkey_rejected');
    // A challenge that was never issued.
    const { options: fresh } = await signInOptions();
    expect(
      errorCode(
        await supertest(t.app)
          .post('/api/auth/passkey')
          .send({ credential: authenticator.assert(fresh, { challenge: 'bm90LWlzc3VlZC1ieS10aGUtc2VydmVy' }) }),
      ),
    ).toBe('passkey_rejected');
  });

  it('S38: a challenge issued for registration or re-authentication does not sign anyone in', async () => {
    const { owner, authenticator } = await withPasskey();
    const { options: registration } = PasskeyRegistrationOptionsResponseSchema.parse((await owner.agent.post('/api/account/passkeys/options').send({})).body);
    expect(
      errorCode(
        await supertest(t.app)
          .post('/api/auth/passkey')
          .send({ credential: authenticator.assert({ challenge: registration.challenge }) }),
      ),
    ).toBe('passkey_rejected');
    const { options: reauth } = PasskeyAuthenticationOptionsResponseSchema.parse((await owner.agent.post('/api/auth/passkey/reauth/options').send({})).body);
    expect(
      errorCode(
        await supertest(t.app)
          .post('/api/auth/passkey')
          .send({ credential: authenticator.assert(reauth) }),
      ),
    ).toBe('passkey_rejected');
  });

  it('S38: a signature counter that does not move past the stored one is refused (a cloned authenticator)', async () => {
    const { authenticator } = await withPasskey();
    const first = await signInOptions();
    expect((await first.agent.post('/api/auth/passkey').send({ credential: authenticator.assert(first.options, { counter: 5 }) })).status).toBe(200);
    const clone = await signInOptions();
    expect(errorCode(await clone.agent.post('/api/auth/passkey').send({ credential: authenticator.assert(clone.options, { counter: 5 }) }))).toBe(
      'passkey_rejected',
    );
    const older = await signInOptions();
    expect(errorCode(await older.agent.post('/api/auth/passkey').send({ credential: authenticator.assert(older.options, { counter: 3 }) }))).toBe(
      'passkey_rejected',
    );
    const next = await signInOptions();
    expect((await next.agent.post('/api/auth/passkey').send({ credential: authenticator.assert(next.options, { counter: 6 }) })).status).toBe(200);
  });

  it('S38: without the user-verification flag, neither registration nor sign-in is accepted', async () => {
    const account = await createAccount(t);
    const owner = await signIn(t, account);
    const unverified = new SoftAuthenticator({ origin: ORIGIN, rpId: RP_ID });
    expect(errorCode(await addPasskey(owner, unverified, 'No PIN', { isUserVerified: false }))).toBe('passkey_rejected');
    const { authenticator } = await withPasskey();
    const { agent, options } = await signInOptions();
    expect(errorCode(await agent.post('/api/auth/passkey').send({ credential: authenticator.assert(options, { isUserVerified: false }) }))).toBe(
      'passkey_rejected',
    );
  });

  it('S38: a signature by another key, or a user handle that is not the one registered, is refused', async () => {
    const { authenticator } = await withPasskey();
    const impostor = new SoftAuthenticator({ origin: ORIGIN, rpId: RP_ID });
    const { agent, options } = await signInOptions();
    const forged = impostor.assert(options);
    forged.id = authenticator.id;
    forged.rawId = authenticator.id;
    expect(errorCode(await agent.post('/api/auth/passkey').send({ credential: forged }))).toBe('passkey_rejected');
    const again = await signInOptions();
    authenticator.userHandle = 'c29tZW9uZS1lbHNl';
    expect(errorCode(await again.agent.post('/api/auth/passkey').send({ credential: authenticator.assert(again.options) }))).toBe('passkey_rejected');
  });

  it('a disabled account cannot sign in with its passkey', async () => {
    const { account, authenticator } = await withPasskey();
    const admin = await signInAdmin(t);
    expect((await admin.agent.post(`/api/admin/users/${account.id}/disable`)).status).toBe(200);
    const { agent, options } = await signInOptions();
    const res = await agent.post('/api/auth/passkey').send({ credential: authenticator.assert(options) });
    expect(res.status).toBe(403);
    expect(errorCode(res)).toBe('account_disabled');
  });

  it('S13: a passkey passes re-authentication (sudo mode): a fresh proof under a new session id', async () => {
    const { owner, authenticator, passkey } = await withPasskey();
    await makeAuthStale(t, owner.sid);
    expect(errorCode(await owner.agent.delete(`/api/account/passkeys/${passkey.id}`))).toBe('reauth_required');
    const { options } = PasskeyAuthenticationOptionsResponseSchema.parse((await owner.agent.post('/api/auth/passkey/reauth/options').send({})).body);
    expect(options.allowCredentials?.map((credential) => credential.id)).toEqual([authenticator.id]);
    const res = await owner.agent.post('/api/auth/passkey/reauth').send({ credential: authenticator.assert(options) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(unsignSid(issuedSessionCookie(res), TEST_SECRET)).not.toBe(owner.sid);
    expect((await supertest(t.app).get('/api/auth/me').set('Cookie', owner.cookie)).status).toBe(401);
    expect((await owner.agent.delete(`/api/account/passkeys/${passkey.id}`)).status).toBe(204);
  });

  it("S38: re-authentication takes only the account's own passkeys", async () => {
    const { authenticator } = await withPasskey();
    const other = await signIn(t, await createAccount(t));
    const { options } = PasskeyAuthenticationOptionsResponseSchema.parse((await supertest(t.app).post('/api/auth/passkey/options').send({})).body);
    expect(errorCode(await other.agent.post('/api/auth/passkey/reauth').send({ credential: authenticator.assert(options) }))).toBe('passkey_rejected');
    expect(errorCode(await other.agent.post('/api/auth/passkey/reauth/options').send({}))).toBe('passkey_rejected');
  });

  it("a passkey is a second factor: after the password, the second step takes it (and only this account's)", async () => {
    const { account, authenticator } = await withPasskey();
    const browser = t.agent();
    const first = await passwordStep(browser, account);
    expect(first.body).toEqual({ secondFactorRequired: true, methods: ['passkey'] });
    const { options } = SecondFactorPasskeyOptionsResponseSchema.parse((await browser.post('/api/auth/login/second-factor/passkey-options').send({})).body);
    expect(options.allowCredentials?.map((credential) => credential.id)).toEqual([authenticator.id]);

    const stranger = (await withPasskey()).authenticator;
    expect(errorCode(await browser.post('/api/auth/login/second-factor').send({ credential: stranger.assert(options) }))).toBe('passkey_rejected');
    const res = await browser.post('/api/auth/login/second-factor').send({ credential: authenticator.assert(options) });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const { sessions } = SessionListResponseSchema.parse((await browser.get('/api/sessions')).body);
    expect(sessions.find((session) => session.isCurrent)?.authMethods).toEqual(['password', 'passkey']);
    expect(cookieHeader(issuedSessionCookie(res))).toMatch(/^gh\.sid=/);
  });
});

import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccountExportSchema } from '@gatehouse/types/account';
import { ErrorBodySchema } from '@gatehouse/types/errors';
import { PasskeyRegistrationOptionsResponseSchema } from '@gatehouse/types/passkeys';
import { RecoveryCodesResponseSchema, TotpEnrolmentResponseSchema } from '@gatehouse/types/second-factor';
import { SessionListResponseSchema } from '@gatehouse/types/sessions';
import { verifyActivityChain } from '../activity/verify-chain';
import { DEVICES_COLLECTION } from '../devices/known-devices';
import { OIDC_FLOWS_COLLECTION } from '../oidc/flows';
import { OIDC_IDENTITIES_COLLECTION } from '../oidc/identities';
import { CHALLENGES_COLLECTION } from '../passkeys/challenges';
import { PASSKEYS_COLLECTION } from '../passkeys/passkey-store';
import { RECOVERY_CODES_COLLECTION, TOTP_COLLECTION } from '../second-factor/second-factors';
import { SESSION_MARKERS_COLLECTION, SESSIONS_COLLECTION } from '../sessions/registry';
import { ACCOUNT_TOKENS_COLLECTION } from '../tokens/account-tokens';
import { createAccount, IPHONE_SAFARI } from '../test/accounts';
import type { Account } from '../test/accounts';
import { findCookie, DEVICE_COOKIE } from '../test/cookies';
import { lastMailTo, tokenIn } from '../test/mail';
import { passwordStep, testClock, totpCode } from '../test/second-factor';
import { makeAuthStale, signIn } from '../test/sign-in';
import type { SignedIn } from '../test/sign-in';
import { createTestApp } from '../test/test-app';
import type { TestApp } from '../test/test-app';
import { SoftAuthenticator } from '../test/webauthn';

const ORIGIN = 'https://app.example.com';
const RP_ID = 'example.com';
const errorCode = (res: supertest.Response) => ErrorBodySchema.parse(res.body).error.code;

/** An account with something in every collection the app writes for a person. */
interface FullAccount {
  account: Account;
  first: SignedIn;
  second: SignedIn;
  /** Values that must never leave the server in an export. */
  secrets: string[];
}

describe('leaving: account export and deletion', () => {
  const clock = testClock();
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ clock, webauthn: { rpId: RP_ID, origins: [ORIGIN] } });
  });
  afterAll(() => t.close());

  const db = () => t.connection.getClient().db(t.connection.name);

  async function fullAccount(): Promise<FullAccount> {
    const account = await createAccount(t);
    const first = await signIn(t, account);
    const second = await signIn(t, account, { userAgent: IPHONE_SAFARI });

    const optionsRes = await first.agent.post('/api/account/passkeys/options').send({});
    const { options } = PasskeyRegistrationOptionsResponseSchema.parse(optionsRes.body);
    const authenticator = new SoftAuthenticator({ origin: ORIGIN, rpId: RP_ID });
    const added = await first.agent
      .post('/api/account/passkeys')
      .send({ name: 'Work laptop', credential: authenticator.register(options), signOutOtherSessions: false });
    expect(added.status, JSON.stringify(added.body)).toBe(201);
    // One challenge left outstanding, as a half-finished ceremony leaves it.
    expect((await first.agent.post('/api/account/passkeys/options').send({})).status).toBe(200);

    const begun = TotpEnrolmentResponseSchema.parse((await first.agent.post('/api/account/totp').send({})).body);
    const confirmed = await first.agent.post('/api/account/totp/confirm').send({ code: totpCode(begun.secret, clock()), signOutOtherSessions: false });
    expect(confirmed.status, JSON.stringify(confirmed.body)).toBe(200);
    clock.advance();
    const { recoveryCodes } = RecoveryCodesResponseSchema.parse(confirmed.body);

    // A pending sign-in (password given, second factor due) in a third browser.
    await passwordStep(supertest.agent(t.app), account);

    // A reset link mailed and not followed.
    expect((await supertest(t.app).post('/api/auth/password/forgot').send({ email: account.email })).status).toBe(202);
    await t.services.jobs.settled();
    const resetToken = tokenIn(await lastMailTo(t, account.email));

    // A provider connected, and a trip to a provider under way (the provider's own flow is tested in oidc/).
    await db()
      .collection(OIDC_IDENTITIES_COLLECTION)
      .insertOne({
        _id: `test:subject-${account.id}` as never,
        provider: 'test',
        subject: `subject-${account.id}`,
        userId: account.id,
        email: account.email,
        connectedAt: new Date(),
      });
    await db()
      .collection(OIDC_FLOWS_COLLECTION)
      .insertOne({
        _id: `flow-${account.id}` as never,
        provider: 'test',
        intent: 'connect',
        userId: account.id,
        rememberMe: false,
        state: 'flow-state-secret',
        nonce: 'flow-nonce-secret',
        codeVerifier: 'flow-code-verifier-secret',
        expiresAt: new Date(Date.now() + 60_000),
      });

    const user = await db().collection('users').findOne({ email: account.email });
    const passkeyDoc = await db().collection(PASSKEYS_COLLECTION).findOne({ userId: account.id });
    const deviceDocs = await db().collection(DEVICES_COLLECTION).find({ userId: account.id }).toArray();
    const sessions = SessionListResponseSchema.parse((await first.agent.get('/api/sessions')).body).sessions;
    const deviceCookie = findCookie(first.response, DEVICE_COOKIE)?.value;
    const secrets = [
      account.password,
      String(user?.passwordHash),
      begun.secret,
      ...recoveryCodes,
      resetToken,
      first.sid,
      second.sid,
      first.cookie.split('=')[1] ?? first.cookie,
      ...sessions.map((session) => session.handle),
      String(passkeyDoc?._id),
      Buffer.from((passkeyDoc?.publicKey as { buffer: Uint8Array }).buffer).toString('base64url'),
      String(passkeyDoc?.userHandle),
      ...deviceDocs.map((doc) => String(doc.deviceKey)),
      ...(deviceCookie ? [deviceCookie] : []),
      'flow-code-verifier-secret',
    ];
    expect(secrets.every((secret) => secret.length >= 8 && secret !== 'undefined')).toBe(true);
    return { account, first, second, secrets };
  }

  describe('GET /api/account/export', () => {
    let full: FullAccount;
    let res: supertest.Response;
    beforeAll(async () => {
      full = await fullAccount();
      res = await full.first.agent.get('/api/account/export');
    });

    it('is a JSON download with the account, its sessions, activity, devices, passkeys and providers', () => {
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['content-disposition']).toMatch(/^attachment; filename="?gatehouse-account-\d{4}-\d{2}-\d{2}\.json"?$/);
      const body = AccountExportSchema.parse(res.body);
      expect(body.account).toMatchObject({
        email: full.account.email,
        name: full.account.name,
        hasPassword: true,
        hasAuthenticatorApp: true,
        recoveryCodesLeft: 10,
      });
      expect(body.sessions).toHaveLength(2);
      expect(body.sessions.filter((session) => session.isCurrent)).toHaveLength(1);
      expect(body.sessions.map((session) => session.location?.label)).toEqual(['Local network', 'Local network']);
      expect(body.activity.map((event) => event.type)).toEqual(
        expect.arrayContaining(['sign_in', 'passkey_added', 'totp_enabled', 'password_reset_requested']),
      );
      expect(body.activityTruncated).toBe(false);
      expect(body.knownDevices).toHaveLength(2);
      expect(body.passkeys).toEqual([expect.objectContaining({ name: 'Work laptop', lastUsedAt: null })]);
      expect(body.connectedProviders).toEqual([expect.objectContaining({ email: full.account.email })]);
    });

    it('S26: carries no secret: no password or hash, authenticator secret, recovery code, link, session id, handle or cookie, passkey key or device key', () => {
      const text = res.text;
      const found = full.secrets.filter((secret) => text.includes(secret));
      expect(found).toEqual([]);
      expect(text).not.toMatch(/passwordHash|tokenHash|publicKey|"secret"|deviceKey|"sid"|"handle"/);
    });

    it('needs a session', async () => {
      expect((await supertest(t.app).get('/api/account/export')).status).toBe(401);
    });
  });

  describe('DELETE /api/account', () => {
    it('refuses an address that is not the account’s (400), and leaves the account as it was', async () => {
      const account = await createAccount(t);
      const { agent } = await signIn(t, account);
      const res = await agent.delete('/api/account').send({ confirm: 'someone-else@example.com' });
      expect(res.status).toBe(400);
      expect(errorCode(res)).toBe('validation_failed');
      expect(ErrorBodySchema.parse(res.body).error.fields).toHaveProperty('confirm');
      expect((await agent.delete('/api/account').send({})).status).toBe(400);
      expect((await agent.get('/api/auth/me')).status).toBe(200);
    });

    it('S13: a session whose proof is not recent gets 403 reauth_required, like every sensitive action', async () => {
      const account = await createAccount(t);
      const { agent, sid } = await signIn(t, account);
      await makeAuthStale(t, sid);
      const res = await agent.delete('/api/account').send({ confirm: account.email });
      expect(res.status).toBe(403);
      expect(errorCode(res)).toBe('reauth_required');
      expect(await db().collection('users').countDocuments({ email: account.email })).toBe(1);
    });

    it('needs a session', async () => {
      expect((await supertest(t.app).delete('/api/account').send({ confirm: 'a@example.com' })).status).toBe(401);
    });

    describe('with fresh re-authentication and the address typed (in another case)', () => {
      let full: FullAccount;
      let res: supertest.Response;
      beforeAll(async () => {
        full = await fullAccount();
        res = await full.first.agent.delete('/api/account').send({ confirm: `  ${full.account.email.toUpperCase()} ` });
        await t.services.jobs.settled();
      });

      it('answers 204, clears the cookie, and every session of the account gets 401', async () => {
        expect(res.status, JSON.stringify(res.body)).toBe(204);
        expect(res.headers['clear-site-data']).toBeDefined();
        expect((await full.first.agent.get('/api/auth/me')).status).toBe(401);
        expect((await supertest(t.app).get('/api/auth/me').set('Cookie', full.first.cookie)).status).toBe(401);
        expect((await supertest(t.app).get('/api/auth/me').set('Cookie', full.second.cookie)).status).toBe(401);
      });

      it('leaves nothing of the person, collection by collection', async () => {
        const userId = full.account.id;
        const counts = {
          users: await db().collection('users').countDocuments({ email: full.account.email }),
          sessions: await db()
            .collection(SESSIONS_COLLECTION)
            .countDocuments({ $or: [{ 'session.userId': userId }, { 'session.pendingSignIn.userId': userId }] }),
          revocationMarkers: await db().collection(SESSION_MARKERS_COLLECTION).countDocuments({ userId }),
          authenticatorApp: await db()
            .collection(TOTP_COLLECTION)
            .countDocuments({ _id: userId as never }),
          recoveryCodes: await db().collection(RECOVERY_CODES_COLLECTION).countDocuments({ userId }),
          passkeys: await db().collection(PASSKEYS_COLLECTION).countDocuments({ userId }),
          challenges: await db().collection(CHALLENGES_COLLECTION).countDocuments({ userId }),
          devices: await db().collection(DEVICES_COLLECTION).countDocuments({ userId }),
          links: await db().collection(ACCOUNT_TOKENS_COLLECTION).countDocuments({ userId }),
          connections: await db().collection(OIDC_IDENTITIES_COLLECTION).countDocuments({ userId }),
          providerTrips: await db().collection(OIDC_FLOWS_COLLECTION).countDocuments({ userId }),
          activity: await db().collection('activity').countDocuments({ userId }),
        };
        expect(counts).toEqual({
          users: 0,
          sessions: 0,
          revocationMarkers: 0,
          authenticatorApp: 0,
          recoveryCodes: 0,
          passkeys: 0,
          challenges: 0,
          devices: 0,
          links: 0,
          connections: 0,
          providerTrips: 0,
          activity: 0,
        });
      });

      it('anonymises the activity: the trail stays, still a verified chain, with no account, address, device or names (S47)', async () => {
        const deleted = await db().collection('activity').findOne({ type: 'account_deleted', anonymised: true });
        expect(deleted).not.toBeNull();
        const anonymised = await db().collection('activity').find({ anonymised: true }).toArray();
        expect(anonymised.length).toBeGreaterThan(5);
        expect(anonymised.every((entry) => ['userId', 'ip', 'device', 'passkeyName'].every((key) => !(key in entry)))).toBe(true);
        const report = await verifyActivityChain(t.connection, { retentionSeconds: t.config.activityRetentionSeconds });
        expect(report).toMatchObject({ isIntact: true });
        expect(report.anonymised).toBe(anonymised.length);
      });

      it('no document in any collection names the account or its address', async () => {
        const collections = await db().listCollections().toArray();
        const naming: string[] = [];
        for (const { name } of collections) {
          for (const doc of await db().collection(name).find({}).toArray()) {
            const text = JSON.stringify(doc);
            if (text.includes(full.account.id) || text.includes(full.account.email)) naming.push(`${name}: ${text.slice(0, 200)}`);
          }
        }
        expect(naming).toEqual([]);
      });

      it('the address registers again (202), and the new password signs in', async () => {
        const agent = supertest.agent(t.app);
        const registered = await agent
          .post('/api/auth/register')
          .send({ name: 'Ada Again', email: full.account.email, password: 'an entirely new passphrase' });
        expect(registered.status, JSON.stringify(registered.body)).toBe(202);
        const signedIn = await agent.post('/api/auth/login').send({ email: full.account.email, password: 'an entirely new passphrase' });
        expect(signedIn.status, JSON.stringify(signedIn.body)).toBe(200);
        expect(signedIn.body).toMatchObject({ user: { email: full.account.email, name: 'Ada Again' } });
        expect((await supertest(t.app).post('/api/auth/login').send({ email: full.account.email, password: full.account.password })).status).toBe(401);
      });
    });
  });
});

describe('S31: a deletion racing a sign-in', () => {
  let t: TestApp;
  let hold: Promise<void> | null = null;
  let reached: () => void = () => undefined;
  beforeAll(async () => {
    t = await createTestApp({
      afterSessionInsert: async () => {
        if (!hold) return;
        reached();
        await hold;
      },
    });
  });
  afterAll(() => t.close());

  it('a session inserted while the account is deleted does not survive', async () => {
    const account = await createAccount(t);
    const owner = await signIn(t, account);
    let release: () => void = () => undefined;
    hold = new Promise((resolve) => (release = resolve));
    const isHeld = new Promise<void>((resolve) => (reached = resolve));

    const racing = supertest(t.app).post('/api/auth/login').send({ email: account.email, password: account.password });
    const racingDone = racing.then((res) => res);
    await isHeld;
    hold = null;
    const deleted = await owner.agent.delete('/api/account').send({ confirm: account.email });
    expect(deleted.status).toBe(204);
    release();
    const raced = await racingDone;

    expect(raced.status).not.toBe(200);
    const left = await t.connection.getClient().db(t.connection.name).collection(SESSIONS_COLLECTION).countDocuments({ 'session.userId': account.id });
    expect(left).toBe(0);
    const cookie = findCookie(raced);
    if (cookie) expect((await supertest(t.app).get('/api/auth/me').set('Cookie', `${cookie.name}=${cookie.value}`)).status).toBe(401);
  });
});

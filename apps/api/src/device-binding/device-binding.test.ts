import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivityListResponseSchema } from '@gatehouse/types/activity';
import { StoreHealthResponseSchema } from '@gatehouse/types/admin';
import { ErrorBodySchema } from '@gatehouse/types/errors';
import { SessionListResponseSchema } from '@gatehouse/types/sessions';
import { createAccount } from '../test/accounts';
import { findCookie } from '../test/cookies';
import { bindSession, createDeviceKey, refreshBinding, refreshChallenge, registrationOffer } from '../test/device-key';
import { signIn, signInAdmin, sleep } from '../test/sign-in';
import { createTestApp } from '../test/test-app';
import type { TestApp } from '../test/test-app';
import { TEST_SECRET } from '../test/test-config';
import { CHALLENGE_MAX_AGE_MS, createChallenges } from './challenges';
import { REGISTRATION_GRACE_MS } from './device-binding';
import { sessionHandle } from '../sessions/handle';
import { SESSIONS_COLLECTION } from '../sessions/registry';
import type { SessionDocument } from '../sessions/store';

const REFRESH = '/api/auth/device-binding/refresh';
const BOUND_COOKIE = 'gh.bound';
const errorOf = (res: supertest.Response) => ErrorBodySchema.parse(res.body).error;
const currentSession = async (agent: supertest.Agent) =>
  SessionListResponseSchema.parse((await agent.get('/api/sessions')).body).sessions.find((session) => session.isCurrent);
const activityTypes = async (agent: supertest.Agent) =>
  ActivityListResponseSchema.parse((await agent.get('/api/activity')).body).events.map((event) => event.type);

/** As if the browser registered a minute ago: past the grace left to requests racing the registration. */
async function ageBinding(t: TestApp, sid: string): Promise<void> {
  await t.connection
    .collection<SessionDocument>(SESSIONS_COLLECTION)
    .updateOne({ _id: sid }, { $set: { 'session.deviceBinding.boundAt': Date.now() - 60_000 } });
  await t.services.registry.feed.sync();
}

/** A signed-in browser whose session is bound to a device key it holds (registered a minute ago). */
async function boundBrowser(t: TestApp) {
  const account = await createAccount(t);
  const key = await createDeviceKey();
  const signedIn = await signIn(t, account);
  const { bindingId } = await bindSession(signedIn.agent, signedIn.response, key);
  await ageBinding(t, signedIn.sid);
  return { account, key, bindingId, ...signedIn };
}

describe('device-bound sessions (S45)', () => {
  let t: TestApp;
  let unoffered: TestApp;
  beforeAll(async () => {
    [t, unoffered] = await Promise.all([createTestApp(), createTestApp({ deviceBinding: { isOffered: false, cookieName: BOUND_COOKIE, cookieSeconds: 600 } })]);
  });
  afterAll(() => Promise.all([t.close(), unoffered.close()]));

  it('a sign-in offers registration (ES256, the registration path, a challenge); DEVICE_BOUND_SESSIONS=off does not', async () => {
    const account = await createAccount(t);
    const offer = registrationOffer((await signIn(t, account)).response);
    expect(offer?.path).toBe('/api/auth/device-binding/registration');
    expect(offer?.challenge).toMatch(/^\d+\.[\w-]+\.[\w-]{32}$/);
    expect(registrationOffer((await signIn(unoffered, await createAccount(unoffered))).response)).toBeNull();
  });

  it('a session that never registered works as before: deviceBound false, no bound cookie needed', async () => {
    const { agent } = await signIn(t, await createAccount(t));
    expect((await agent.get('/api/auth/me')).status).toBe(200);
    expect((await currentSession(agent))?.deviceBound).toBe(false);
  });

  it('registration stores the key, answers the session instructions and sets the bound cookie; the session shows deviceBound', async () => {
    const account = await createAccount(t);
    const key = await createDeviceKey();
    const { agent, response } = await signIn(t, account);
    const offer = registrationOffer(response);
    const res = await agent.post(offer?.path ?? '').set('Secure-Session-Response', await key.registrationProof(offer?.challenge ?? ''));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      session_identifier: expect.stringMatching(/^[\w-]{22}$/),
      refresh_url: REFRESH,
      scope: { include_site: false, scope_specification: [] },
      credentials: [{ type: 'cookie', name: BOUND_COOKIE, attributes: 'Path=/api; HttpOnly; SameSite=Lax' }],
    });
    const cookie = findCookie(res, BOUND_COOKIE);
    expect(cookie?.path).toBe('/api');
    expect(cookie?.httpOnly).toBe(true);
    expect((await agent.get('/api/auth/me')).status).toBe(200);
    expect((await currentSession(agent))?.deviceBound).toBe(true);
  });

  it('a copied session cookie without the bound cookie gets 401 device_binding_required, recorded once for the owner', async () => {
    const owner = await boundBrowser(t);
    const thief = supertest.agent(t.app);
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const res = await thief.get('/api/auth/me').set('Cookie', owner.cookie);
      expect(res.status).toBe(401);
      expect(errorOf(res).code).toBe('device_binding_required');
    }
    expect((await owner.agent.get('/api/auth/me')).status, 'the owner, with its bound cookie, goes on').toBe(200);
    await sleep(50);
    const signals = (await activityTypes(owner.agent)).filter((type) => type === 'session_used_without_device_key');
    expect(signals).toHaveLength(1);
  });

  it('requests sent while the registration was in flight (no bound cookie yet) pass for a few seconds, then no more', async () => {
    const account = await createAccount(t);
    const signedIn = await signIn(t, account);
    await bindSession(signedIn.agent, signedIn.response, await createDeviceKey());
    const withoutBoundCookie = () => supertest(t.app).get('/api/auth/me').set('Cookie', signedIn.cookie);
    expect((await withoutBoundCookie()).status, `within ${REGISTRATION_GRACE_MS} ms of the registration`).toBe(200);
    await ageBinding(t, signedIn.sid);
    expect((await withoutBoundCookie()).status).toBe(401);
  });

  it('a bound cookie past its signed expiry, or forged, or of another binding, is refused', async () => {
    const owner = await boundBrowser(t);
    const other = await boundBrowser(t);
    const boundOf = async (agent: supertest.Agent) => {
      const res = await refreshBinding(agent, agent === owner.agent ? owner.bindingId : other.bindingId, agent === owner.agent ? owner.key : other.key);
      return findCookie(res, BOUND_COOKIE)?.value ?? '';
    };
    const ownValue = await boundOf(owner.agent);
    const [expiresAt, nonce, tag] = ownValue.split('.');
    const send = (value: string) => supertest(t.app).get('/api/auth/me').set('Cookie', `${owner.cookie}; ${BOUND_COOKIE}=${value}`);
    expect((await send(ownValue)).status).toBe(200);
    expect((await send(`${Date.now() - 1}.${nonce}.${tag}`)).status, 'an expiry moved is a forgery').toBe(401);
    expect((await send(`${expiresAt}.${nonce}.${'A'.repeat(32)}`)).status).toBe(401);
    expect((await send(await boundOf(other.agent))).status, "another session's bound cookie").toBe(401);
  });

  describe('registration proofs', () => {
    async function offered() {
      const { agent, response, sid } = await signIn(t, await createAccount(t));
      const offer = registrationOffer(response);
      return { agent, sid, path: offer?.path ?? '', challenge: offer?.challenge ?? '' };
    }
    const register = (agent: supertest.Agent, path: string, jws: string) => agent.post(path).set('Secure-Session-Response', jws);

    it('refuses a wrong algorithm, a wrong typ, a missing key and a signature by another key than the one in the header', async () => {
      const key = await createDeviceKey();
      const otherKey = await createDeviceKey();
      const { agent, path, challenge } = await offered();
      const hs256 = `${Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'dbsc+jwt', jwk: key.jwk })).toString('base64url')}.${Buffer.from(
        JSON.stringify({ jti: challenge }),
      ).toString('base64url')}.c2lnbmF0dXJl`;
      const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'dbsc+jwt' })).toString('base64url')}.${Buffer.from(JSON.stringify({ jti: challenge })).toString('base64url')}.`;
      for (const jws of [
        hs256,
        unsigned,
        await key.registrationProof(challenge, { typ: 'JWT' }),
        await key.registrationProof(challenge, { jwk: undefined }),
        await key.registrationProof(challenge, { jwk: otherKey.jwk }),
        'not a jws',
      ]) {
        const res = await register(agent, path, jws);
        expect(res.status, jws).toBe(400);
        expect(errorOf(res).code).toBe('invalid_device_proof');
      }
      expect((await currentSession(agent))?.deviceBound).toBe(false);
      expect((await register(agent, path, await key.registrationProof(challenge))).status, 'the genuine proof still works').toBe(200);
    });

    it("refuses a challenge reused, one of another session's, a stale one and a forged one", async () => {
      const key = await createDeviceKey();
      const first = await offered();
      const second = await offered();
      expect((await register(first.agent, first.path, await key.registrationProof(first.challenge))).status).toBe(200);
      const reused = await register(first.agent, first.path, await key.registrationProof(first.challenge));
      expect([reused.status, errorOf(reused).code]).toEqual([400, 'invalid_device_proof']);
      const foreign = await register(second.agent, second.path, await key.registrationProof(first.challenge));
      expect([foreign.status, errorOf(foreign).code]).toEqual([400, 'invalid_device_proof']);
      const challenges = createChallenges([TEST_SECRET]);
      const stale = challenges.issue('registration', sessionHandle(second.sid), Date.now() - CHALLENGE_MAX_AGE_MS - 1000);
      expect((await register(second.agent, second.path, await key.registrationProof(stale))).status).toBe(400);
      const forged = createChallenges(['another-secret-that-is-long-enough-0123']).issue('registration', sessionHandle(second.sid));
      expect((await register(second.agent, second.path, await key.registrationProof(forged))).status).toBe(400);
      expect((await currentSession(second.agent))?.deviceBound).toBe(false);
    });

    it('50 registrations racing on one session bind exactly one key', async () => {
      const { agent, path, challenge } = await offered();
      const keys = await Promise.all(Array.from({ length: 50 }, () => createDeviceKey()));
      const proofs = await Promise.all(keys.map((key) => key.registrationProof(challenge)));
      const statuses = await Promise.all(proofs.map((jws) => register(agent, path, jws).then((res) => res.status)));
      expect(statuses.filter((status) => status === 200)).toHaveLength(1);
      expect(statuses.filter((status) => status === 400)).toHaveLength(49);
    });

    it('a signed-out browser cannot register', async () => {
      const key = await createDeviceKey();
      const res = await register(supertest.agent(t.app), '/api/auth/device-binding/registration', await key.registrationProof('x'));
      expect(res.status).toBe(401);
    });
  });

  describe('refresh', () => {
    it('answers 403 with a challenge, then a new bound cookie (a new value each time) for a proof by the bound key', async () => {
      const owner = await boundBrowser(t);
      const values = new Set<string>();
      for (let round = 0; round < 3; round += 1) {
        const res = await refreshBinding(owner.agent, owner.bindingId, owner.key);
        expect(res.status).toBe(200);
        expect((res.body as { session_identifier: string }).session_identifier).toBe(owner.bindingId);
        values.add(findCookie(res, BOUND_COOKIE)?.value ?? '');
      }
      expect(values.size).toBe(3);
    });

    it('refuses a replayed answer (the challenge is spent) and a stale challenge, with a fresh challenge', async () => {
      const owner = await boundBrowser(t);
      const first = await owner.agent.post(REFRESH).set('Sec-Secure-Session-Id', owner.bindingId);
      const jws = await owner.key.refreshProof(refreshChallenge(first));
      const answer = () => owner.agent.post(REFRESH).set('Sec-Secure-Session-Id', owner.bindingId).set('Secure-Session-Response', jws);
      expect((await answer()).status).toBe(200);
      const replay = await answer();
      expect(replay.status).toBe(403);
      expect(findCookie(replay, BOUND_COOKIE)).toBeUndefined();
      const stale = createChallenges([TEST_SECRET]).issue('refresh', owner.bindingId, Date.now() - CHALLENGE_MAX_AGE_MS - 1000);
      const staleAnswer = await owner.agent
        .post(REFRESH)
        .set('Sec-Secure-Session-Id', owner.bindingId)
        .set('Secure-Session-Response', await owner.key.refreshProof(stale));
      expect(staleAnswer.status).toBe(403);
      expect(findCookie(staleAnswer, BOUND_COOKIE)).toBeUndefined();
    });

    it('a proof by another key ends the binding for that browser (continue: false) and is recorded as suspicious', async () => {
      const owner = await boundBrowser(t);
      const thiefKey = await createDeviceKey();
      const thief = supertest.agent(t.app);
      const first = await thief.post(REFRESH).set('Cookie', owner.cookie).set('Sec-Secure-Session-Id', owner.bindingId);
      const res = await thief
        .post(REFRESH)
        .set('Cookie', owner.cookie)
        .set('Sec-Secure-Session-Id', owner.bindingId)
        .set('Secure-Session-Response', await thiefKey.refreshProof(refreshChallenge(first)));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ session_identifier: owner.bindingId, continue: false });
      expect(findCookie(res, BOUND_COOKIE)?.value ?? '', 'no bound cookie').toBe('');
      await sleep(50);
      const events = ActivityListResponseSchema.parse((await owner.agent.get('/api/activity')).body).events;
      expect(events.find((event) => event.type === 'device_binding_ended')?.isSuspicious).toBe(true);
      expect((await refreshBinding(owner.agent, owner.bindingId, owner.key)).status, 'the owner still refreshes').toBe(200);
    });

    it('after sign-out or revocation the refresh issues no bound cookie and ends the binding, recorded for the owner', async () => {
      const signedOut = await boundBrowser(t);
      expect((await signedOut.agent.post('/api/auth/logout')).status).toBe(204);
      const afterSignOut = await signedOut.agent.post(REFRESH).set('Cookie', signedOut.cookie).set('Sec-Secure-Session-Id', signedOut.bindingId);
      expect(afterSignOut.body).toEqual({ session_identifier: signedOut.bindingId, continue: false });
      expect(findCookie(afterSignOut, BOUND_COOKIE)?.value ?? '').toBe('');

      const revoked = await boundBrowser(t);
      const other = await signIn(t, revoked.account);
      const handle = (await currentSession(revoked.agent))?.handle ?? '';
      expect((await other.agent.delete(`/api/sessions/${handle}`)).status).toBe(204);
      const res = await refreshBinding(revoked.agent, revoked.bindingId, revoked.key).catch(() => null);
      expect(res, 'no challenge is offered for an ended session').toBeNull();
      const direct = await supertest(t.app).post(REFRESH).set('Cookie', revoked.cookie).set('Sec-Secure-Session-Id', revoked.bindingId);
      expect(direct.body).toEqual({ session_identifier: revoked.bindingId, continue: false });
      await sleep(50);
      expect(await activityTypes(other.agent)).toContain('device_binding_ended');
    });

    it('a re-authentication (new session id) keeps the binding and its bound cookie', async () => {
      const owner = await boundBrowser(t);
      expect((await owner.agent.post('/api/auth/reauth').send({ password: owner.account.password })).status).toBe(200);
      expect((await owner.agent.get('/api/auth/me')).status).toBe(200);
      expect((await currentSession(owner.agent))?.deviceBound).toBe(true);
      expect((await refreshBinding(owner.agent, owner.bindingId, owner.key)).status).toBe(200);
    });
  });

  it('an authenticated GET of a bound session costs what an unbound one does: 1 read, 0 writes (strict mode)', async () => {
    const monitored = await createTestApp({ monitorCommands: true, sessionCache: 'off', logLevel: 'silent' });
    try {
      const commands: string[] = [];
      monitored.connection.getClient().on('commandStarted', (event) => commands.push(`${event.commandName} ${String(event.command[event.commandName])}`));
      const owner = await boundBrowser(monitored);
      await sleep(50);
      commands.length = 0;
      expect((await owner.agent.get('/api/auth/me')).status).toBe(200);
      await sleep(50);
      expect(commands).toEqual(['find sessions']);
    } finally {
      await monitored.close();
    }
  });

  it('store health counts bound sessions', async () => {
    const admin = await signInAdmin(t);
    const before = StoreHealthResponseSchema.parse((await admin.agent.get('/api/admin/store')).body).deviceBoundSessions;
    await boundBrowser(t);
    const after = StoreHealthResponseSchema.parse((await admin.agent.get('/api/admin/store')).body).deviceBoundSessions;
    expect(after).toBe(before + 1);
  });
});

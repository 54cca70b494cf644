import { randomBytes } from 'node:crypto';
import supertest from 'supertest';
import type { Session, SessionData } from 'express-session';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../test/test-app';
import type { TestApp } from '../test/test-app';
import { TEST_SECRET } from '../test/test-config';
import { SESSIONS_COLLECTION } from './registry';
import { GatehouseSessionStore } from './store';
import { cookieHeader, issuedCookie, unsignSid } from '../test/cookies';
import { register, sessionDoc, sessionDocs } from '../test/sign-in';

let t: TestApp;
let store: GatehouseSessionStore;
beforeAll(async () => {
  t = await createTestApp({ touchAfterSeconds: 0, idleTimeoutSeconds: 600, rememberMeIdleTimeoutSeconds: 7200 });
  // A store of its own on the app's collection: the registry keeps its store to itself.
  store = new GatehouseSessionStore({
    client: t.connection.getClient(),
    dbName: t.connection.name,
    collectionName: SESSIONS_COLLECTION,
    idleTimeoutSeconds: t.config.idleTimeoutSeconds,
    rememberMeIdleTimeoutSeconds: t.config.rememberMeIdleTimeoutSeconds,
    touchAfterSeconds: t.config.touchAfterSeconds,
    cache: null,
  });
});
afterAll(() => t.close());

const call = (run: (done: (error?: unknown) => void) => void) =>
  new Promise<void>((resolve, reject) => run((error) => (error ? reject(error as Error) : resolve())));

function fakeSession(data: Partial<SessionData>): Session & Partial<SessionData> {
  return { cookie: { originalMaxAge: null, path: '/', httpOnly: true }, ...data } as unknown as Session & Partial<SessionData>;
}

describe('GatehouseSessionStore', () => {
  it('inserts a session only when it was marked new in this request', async () => {
    const sid = randomBytes(24).toString('base64url');
    const unmarked = fakeSession({ userId: 'u1' });
    await call((done) => store.set(sid, unmarked as SessionData, done));
    expect(await sessionDoc(t, sid)).toBeNull();

    const marked = fakeSession({ userId: 'u1' });
    store.markNew(marked);
    await call((done) => store.set(sid, marked as SessionData, done));
    expect(await sessionDoc(t, sid)).not.toBeNull();
  });

  it('R5: a save or touch after the session was destroyed does not bring it back', async () => {
    const sid = randomBytes(24).toString('base64url');
    const session = fakeSession({ userId: 'u2' });
    store.markNew(session);
    await call((done) => store.set(sid, session as SessionData, done));
    await call((done) => store.destroy(sid, done));
    // The same request (or a concurrent one holding the loaded session) saving late:
    await call((done) => store.set(sid, session as SessionData, done));
    await store.touchIfDue(sid, session);
    expect(await sessionDoc(t, sid)).toBeNull();
  });

  it('sets the idle deadline by remember-me and never past the absolute deadline', () => {
    const now = Date.now();
    expect(store.expiresAt({ rememberMe: false }, now).getTime()).toBe(now + 600_000);
    expect(store.expiresAt({ rememberMe: true }, now).getTime()).toBe(now + 7_200_000);
    expect(store.expiresAt({ rememberMe: true, absoluteExpiresAt: now + 1000 }, now).getTime()).toBe(now + 1000);
  });

  it('R5: signing out while 50 requests on the same session are in flight leaves no document behind', async () => {
    for (let trial = 0; trial < 5; trial += 1) {
      const agent = t.agent();
      await register(agent);
      const cookie = issuedCookie(await agent.post('/api/auth/reauth').send({ password: 'correct horse battery staple' }));
      const sid = unsignSid(cookie, TEST_SECRET);
      const inFlight = Array.from({ length: 50 }, () => supertest(t.app).get('/api/auth/me').set('Cookie', cookieHeader(cookie)));
      const logout = supertest(t.app).post('/api/auth/logout').set('Cookie', cookieHeader(cookie));
      const results = await Promise.all([...inFlight.slice(0, 25), logout, ...inFlight.slice(25)]);
      for (const res of results) expect([200, 204, 401]).toContain(res.status);
      expect(await sessionDoc(t, sid)).toBeNull();
      expect((await supertest(t.app).get('/api/auth/me').set('Cookie', cookieHeader(cookie))).status).toBe(401);
    }
  });

  it('R5: 50 parallel requests on one session all succeed and leave exactly one document', async () => {
    const agent = t.agent();
    const { id } = await register(agent);
    const cookie = issuedCookie(await agent.post('/api/auth/reauth').send({ password: 'correct horse battery staple' }));
    const results = await Promise.all(Array.from({ length: 50 }, () => supertest(t.app).get('/api/auth/me').set('Cookie', cookieHeader(cookie))));
    for (const res of results) expect(res.status).toBe(200);
    expect(await sessionDocs(t, { 'session.userId': id })).toHaveLength(1);
  });
});

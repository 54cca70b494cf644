import supertest from 'supertest';
import { start } from '@gatehouse/embedded-mongo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionListResponseSchema } from '@gatehouse/types/sessions';
import { createTestApp, uniqueDbName } from '../test/test-app';
import type { TestApp } from '../test/test-app';
import { listen, openEventStream } from './sse-client';
import { STRONG_PASSWORD, createAccount } from '../test/accounts';
import { sessionDoc, signIn, signInAdmin } from '../test/sign-in';

const POLL_MS = 200;

let t: TestApp;
let port: number;
let closeServer: () => Promise<void>;
beforeAll(async () => {
  t = await createTestApp({ livePollIntervalMs: POLL_MS });
  ({ port, close: closeServer } = await listen(t.app));
});
afterAll(async () => {
  await t.close();
  await closeServer();
});

async function otherHandle(agent: supertest.Agent): Promise<string> {
  const { sessions } = SessionListResponseSchema.parse((await agent.get('/api/sessions')).body);
  const other = sessions.find((session) => !session.isCurrent);
  if (!other) throw new Error('expected another session');
  return other.handle;
}

describe('GET /api/events', () => {
  it('answers anonymous requests with a 401 JSON error, not a stream', async () => {
    const res = await supertest(t.app).get('/api/events');
    expect(res.status).toBe(401);
    expect(res.headers['content-type']).toMatch(/application\/json/);
  });

  it('streams with text/event-stream and no-store, and never re-sends or rewrites the session', async () => {
    const user = await signIn(t, await createAccount(t));
    const before = await sessionDoc(t, user.sid);
    const stream = await openEventStream(port, user.cookie);
    expect(stream.response.statusCode).toBe(200);
    expect(stream.response.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(stream.response.headers['cache-control']).toBe('no-store');
    expect(stream.response.headers['set-cookie']).toBeUndefined();
    stream.close();
    await stream.ended;
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await sessionDoc(t, user.sid)).toEqual(before);
  });

  it('delivers sessions_changed when the account signs in elsewhere', async () => {
    const account = await createAccount(t);
    const watcher = await signIn(t, account);
    const stream = await openEventStream(port, watcher.cookie);
    try {
      await signIn(t, account);
      await expect(stream.next('sessions_changed')).resolves.toEqual({ type: 'sessions_changed' });
    } finally {
      stream.close();
    }
  });

  it('delivers session_ended when this session is revoked from another one, then ends the stream', async () => {
    const account = await createAccount(t);
    const watched = await signIn(t, account);
    const other = await signIn(t, account);
    const stream = await openEventStream(port, watched.cookie);
    expect((await other.agent.delete(`/api/sessions/${await otherHandle(other.agent)}`)).status).toBe(204);
    await expect(stream.next('session_ended')).resolves.toEqual({ type: 'session_ended', reason: 'revoked' });
    await stream.ended;
  });

  it('delivers session_ended with account_disabled when an admin disables the account', async () => {
    const admin = await signInAdmin(t);
    const account = await createAccount(t);
    const user = await signIn(t, account);
    const stream = await openEventStream(port, user.cookie);
    expect((await admin.agent.post(`/api/admin/users/${account.id}/disable`)).status).toBe(200);
    await expect(stream.next('session_ended')).resolves.toEqual({ type: 'session_ended', reason: 'account_disabled' });
  });

  /** Two instances on one database; `mongoUri` another server than the shared one. */
  async function twoInstances(options: { livePollIntervalMs: number; mongoUri?: string }) {
    const dbName = uniqueDbName();
    const a = await createTestApp({ dbName, keepDatabase: true, ...options });
    const b = await createTestApp({ dbName, ...options });
    const serverA = await listen(a.app);
    return {
      a,
      b,
      port: serverA.port,
      async close() {
        await serverA.close();
        await a.close();
        await b.close();
      },
    };
  }

  /** Sign-in and revocation on B, watched by a stream on A. */
  async function revokeOnB({ a, b, port: portA }: Awaited<ReturnType<typeof twoInstances>>) {
    const account = await createAccount(a);
    const watched = await signIn(a, account);
    const stream = await openEventStream(portA, watched.cookie);
    const onB = await signIn(b, account);
    await expect(stream.next('sessions_changed')).resolves.toEqual({ type: 'sessions_changed' });
    const revokedAt = Date.now();
    expect((await onB.agent.delete(`/api/sessions/${await otherHandle(onB.agent)}`)).status).toBe(204);
    await expect(stream.next('session_ended')).resolves.toEqual({ type: 'session_ended', reason: 'revoked' });
    await stream.ended;
    return Date.now() - revokedAt;
  }

  it('hears of a revocation made on another instance through the change feed, with no polling', async () => {
    // An interval far longer than the test: only the change stream can deliver in time.
    const instances = await twoInstances({ livePollIntervalMs: 600_000 });
    try {
      const lagMs = await revokeOnB(instances);
      expect(instances.a.services.registry.feed.mode()).toBe('stream');
      expect(lagMs).toBeLessThan(5000);
    } finally {
      await instances.close();
    }
  });

  it('falls back to polling the database when MongoDB cannot do change streams (a standalone server)', async () => {
    const standalone = await start({ replicaSet: false, logger: { info: () => {}, warn: () => {} } });
    const instances = await twoInstances({ livePollIntervalMs: POLL_MS, mongoUri: standalone.uri });
    try {
      await revokeOnB(instances);
      expect(instances.a.services.registry.feed.mode()).toBe('poll');
    } finally {
      await instances.close();
      await standalone.stop();
    }
  });

  it('tells the tab its session expired at its idle deadline, when nothing is written', async () => {
    const app = await createTestApp({ livePollIntervalMs: 600_000 });
    const server = await listen(app.app);
    try {
      const user = await signIn(app, await createAccount(app));
      // The deadline is set before the stream opens: the stream's first read is all it has to go on.
      await app.connection.collection<{ _id: string }>('sessions').updateOne({ _id: user.sid }, { $set: { expires: new Date(Date.now() + 1500) } });
      const stream = await openEventStream(server.port, user.cookie);
      await expect(stream.next('session_ended')).resolves.toEqual({ type: 'session_ended', reason: 'expired' });
    } finally {
      await server.close();
      await app.close();
    }
  });

  it('delivers session_ended with expired when the session passes its deadline', async () => {
    const user = await signIn(t, await createAccount(t));
    const stream = await openEventStream(port, user.cookie);
    await t.connection.collection<{ _id: string }>('sessions').updateOne({ _id: user.sid }, { $set: { expires: new Date(Date.now() - 1000) } });
    await expect(stream.next('session_ended')).resolves.toEqual({ type: 'session_ended', reason: 'expired' });
  });

  it('ends quietly when the session id is rotated, so the browser reconnects with the new cookie', async () => {
    const user = await signIn(t, await createAccount(t));
    const stream = await openEventStream(port, user.cookie);
    expect((await user.agent.post('/api/auth/reauth').send({ password: STRONG_PASSWORD })).status).toBe(200);
    await stream.ended;
    expect(stream.events.filter((event) => event.type === 'session_ended')).toEqual([]);
  });

  it('forgets the subscription when the client disconnects', async () => {
    const app = await createTestApp();
    const server = await listen(app.app);
    try {
      const user = await signIn(app, await createAccount(app));
      const stream = await openEventStream(server.port, user.cookie);
      expect(app.services.live.subscriberCount()).toBe(1);
      stream.close();
      const deadline = Date.now() + 2000;
      while (app.services.live.subscriberCount() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      expect(app.services.live.subscriberCount()).toBe(0);
    } finally {
      await server.close();
      await app.close();
    }
  });

  it('closeAll on the bus ends every open stream, so shutdown is not held up', async () => {
    const app = await createTestApp();
    const server = await listen(app.app);
    try {
      const user = await signIn(app, await createAccount(app));
      const streams = [await openEventStream(server.port, user.cookie), await openEventStream(server.port, user.cookie)];
      expect(app.services.live.subscriberCount()).toBe(2);
      app.services.live.closeAll();
      await Promise.all(streams.map((stream) => stream.ended));
      expect(app.services.live.subscriberCount()).toBe(0);
    } finally {
      await server.close();
      await app.close();
    }
  });
});

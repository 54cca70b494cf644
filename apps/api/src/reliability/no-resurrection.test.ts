import { createServer } from 'node:http';
import type { Server } from 'node:http';
import MongoStore from 'connect-mongo';
import { promisify } from 'node:util';
import express from 'express';
import type { Request } from 'express';
import type { Store } from 'express-session';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../db/connection';
import { createSessionMiddleware } from '../sessions/cookie-session';
import { SESSIONS_COLLECTION } from '../sessions/registry';
import { GatehouseSessionStore } from '../sessions/store';
import { TEST_SECRET, testConfig } from '../test/test-config';
import { unsignSid } from '../test/cookies';
import { httpRequest, keepAliveAgent, parseJson, sessionCookie } from '../test/http-client';
import type { HttpResult } from '../test/http-client';
import { killAll, removeDir, startApi, startEngine, tempDir } from '../test/processes';
import type { EngineProcess, SpawnedApi } from '../test/processes';
import { registerWithSessions, signIn } from '../test/sign-in';

const RACES = 100;

const agent = keepAliveAgent(64);
const dirs: string[] = [];
let engine: EngineProcess;
let api: SpawnedApi;
let connection: Connection;

beforeAll(async () => {
  const dbPath = tempDir('r5');
  dirs.push(dbPath);
  engine = await startEngine({ dbPath });
  // touchAfter 0: every request that reads the session also writes it, the worst case for resurrection.
  api = await startApi({
    MONGODB_URI: engine.database('gatehouse'),
    SESSION_SECRETS: TEST_SECRET,
    TOUCH_AFTER_SECONDS: '0',
    // Each trial signs one account in ten times at once; the default allows two password checks per account at a time.
    MAX_CONCURRENT_PASSWORD_CHECKS_PER_ACCOUNT: '16',
  });
  connection = await connectDatabase({ uri: engine.database('gatehouse'), timeoutMs: 2000 });
}, 60_000);

afterAll(async () => {
  agent.destroy();
  await connection?.close();
  await killAll();
  dirs.forEach(removeDir);
});

const sidOf = (cookie: string) => unsignSid(cookie, TEST_SECRET);

/** The public handle of the session a cookie belongs to, as the API lists it. */
async function ownHandle(cookie: string): Promise<string> {
  const res = await httpRequest(api.baseUrl, '/api/sessions', { cookie, agent });
  const current = parseJson<{ sessions: { handle: string; isCurrent: boolean }[] }>(res).sessions.find((session) => session.isCurrent);
  if (!current) throw new Error(`no current session listed: ${res.body}`);
  return current.handle;
}
const sessionExists = async (db: Connection, sid: string) => (await db.collection(SESSIONS_COLLECTION).countDocuments({ _id: sid as never })) > 0;

describe('R5: concurrent requests never resurrect an ended session (expressjs/session#632, tj/connect-redis#328)', () => {
  it(`R5: ${RACES} races of sign-out or revocation against in-flight requests that write the same session: 0 resurrections`, { timeout: 120_000 }, async () => {
    const user = await registerWithSessions(api.baseUrl, 1);
    const revoker = user.cookies[0] ?? '';
    const targets: string[] = [];
    for (let batch = 0; batch < RACES; batch += 10) {
      targets.push(...(await Promise.all(Array.from({ length: 10 }, async () => (await signIn(api.baseUrl, user)).cookie))));
    }

    let resurrected = 0;
    const statuses = new Map<number, number>();
    for (const [race, cookie] of targets.entries()) {
      const sid = sidOf(cookie);
      const writers = (count: number) =>
        Array.from({ length: count }, (_, index) =>
          index % 2 === 0
            ? httpRequest(api.baseUrl, '/api/sessions/current/extend', { method: 'POST', cookie, agent })
            : httpRequest(api.baseUrl, '/api/auth/me', { cookie, agent }),
        );
      const handle = race % 2 === 0 ? null : await ownHandle(cookie);
      const end =
        handle === null
          ? httpRequest(api.baseUrl, '/api/auth/logout', { method: 'POST', cookie, agent })
          : httpRequest(api.baseUrl, `/api/sessions/${handle}`, { method: 'DELETE', cookie: revoker, agent });
      const results: HttpResult[] = await Promise.all([...writers(3), end, ...writers(3)]);
      for (const res of results) statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const replay = await httpRequest(api.baseUrl, '/api/auth/me', { cookie, agent });
      if ((await sessionExists(connection, sid)) || replay.status !== 401) resurrected += 1;
    }
    console.info(`R5: ${resurrected} resurrections in ${RACES} races; statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect([...statuses.keys()].every((status) => [200, 204, 401].includes(status))).toBe(true);
    expect(resurrected).toBe(0);
  });

  it('R5: 50 parallel GETs and extends on one session all get 200 and leave exactly one document', { timeout: 60_000 }, async () => {
    const user = await registerWithSessions(api.baseUrl, 1);
    const cookie = user.cookies[0] ?? '';
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, index) =>
        index % 5 === 0
          ? httpRequest(api.baseUrl, '/api/sessions/current/extend', { method: 'POST', cookie, agent })
          : httpRequest(api.baseUrl, '/api/auth/me', { cookie, agent }),
      ),
    );
    expect(results.map((res) => res.status)).toEqual(results.map(() => 200));
    expect(await connection.collection(SESSIONS_COLLECTION).countDocuments({ 'session.userId': user.id })).toBe(1);
  });
});

/**
 * The API itself never rewrites a loaded session's data outside sign-in and re-authentication, so the
 * exact interleaving of expressjs/session#632 is forced here with express-session and the real store:
 * a request loads the session, the session is signed out by a second request, then the first one
 * changes the session and express-session saves it.
 */
describe('R5: the express-session save after a concurrent sign-out', () => {
  let raceDb: Connection;
  beforeAll(async () => {
    raceDb = await connectDatabase({ uri: engine.database('r5_race'), timeoutMs: 2000 });
  });
  afterAll(() => raceDb?.close());

  async function withRaceServer(store: Store & { markNew?(session: object): void }, run: (baseUrl: string, gate: Gate) => Promise<void>) {
    const gate = new Gate();
    const app = express();
    app.use(createSessionMiddleware({ config: testConfig(), store: store as GatehouseSessionStore }));
    app.post('/sign-in', async (req, res) => {
      await regenerateSession(req);
      req.session.userId = 'race-user';
      store.markNew?.(req.session);
      await saveSession(req);
      res.status(204).end();
    });
    app.post('/sign-out', async (req, res) => {
      await destroySession(req);
      res.status(204).end();
    });
    app.post('/slow-change', async (req, res) => {
      await gate.arrive();
      req.session.ip = '203.0.113.9';
      res.status(204).end();
    });
    const server: Server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    try {
      await run(`http://127.0.0.1:${port}`, gate);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  }

  async function countResurrections(baseUrl: string, gate: Gate, trials: number): Promise<number> {
    let resurrected = 0;
    for (let trial = 0; trial < trials; trial += 1) {
      const cookie = sessionCookie(await httpRequest(baseUrl, '/sign-in', { method: 'POST', agent }));
      const sid = sidOf(cookie);
      const slow = httpRequest(baseUrl, '/slow-change', { method: 'POST', cookie, agent });
      await gate.arrived();
      expect((await httpRequest(baseUrl, '/sign-out', { method: 'POST', cookie, agent })).status).toBe(204);
      expect(await sessionExists(raceDb, sid)).toBe(false);
      gate.release();
      const late = await slow;
      expect(late.status).toBe(204);
      if (await sessionExists(raceDb, sid)) resurrected += 1;
    }
    return resurrected;
  }

  it(`R5: with GatehouseSessionStore the late save finds nothing to update: 0 resurrections in ${RACES} forced races`, { timeout: 60_000 }, async () => {
    const store = new GatehouseSessionStore({
      client: raceDb.getClient(),
      dbName: raceDb.name,
      collectionName: SESSIONS_COLLECTION,
      idleTimeoutSeconds: 600,
      rememberMeIdleTimeoutSeconds: 600,
      touchAfterSeconds: 0,
    });
    await withRaceServer(store, async (baseUrl, gate) => {
      expect(await countResurrections(baseUrl, gate, RACES)).toBe(0);
    });
  });

  it('control: with connect-mongo’s own upserting set, the same forced race resurrects the session every time', { timeout: 60_000 }, async () => {
    const store = MongoStore.create({
      client: raceDb.getClient(),
      dbName: raceDb.name,
      collectionName: SESSIONS_COLLECTION,
      stringify: false,
      touchAfter: 0,
      autoRemove: 'disabled',
    });
    await withRaceServer(store, async (baseUrl, gate) => {
      expect(await countResurrections(baseUrl, gate, 10)).toBe(10);
    });
  });
});

const regenerateSession = (req: Request) => promisify(req.session.regenerate.bind(req.session))();
const saveSession = (req: Request) => promisify(req.session.save.bind(req.session))();
const destroySession = (req: Request) => promisify(req.session.destroy.bind(req.session))();

/** Holds one request inside its handler until the test lets it go. */
class Gate {
  private onArrive: (() => void) | undefined;
  private arrival = new Promise<void>((resolve) => (this.onArrive = resolve));
  private onRelease: (() => void) | undefined;

  arrive(): Promise<void> {
    this.onArrive?.();
    return new Promise((resolve) => (this.onRelease = resolve));
  }

  arrived(): Promise<void> {
    return this.arrival;
  }

  release(): void {
    this.arrival = new Promise<void>((resolve) => (this.onArrive = resolve));
    this.onRelease?.();
  }
}

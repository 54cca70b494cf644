import type mongoose from 'mongoose';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../config';
import { createTestApp } from '../test/test-app';
import { cookieHeader, issuedCookie } from '../test/cookies';
import { register, sleep } from '../test/sign-in';

type CommandStartedEvent = mongoose.mongo.CommandStartedEvent;

const READS = new Set(['find', 'getMore', 'aggregate', 'count', 'distinct']);
const WRITES = new Set(['insert', 'update', 'delete', 'findAndModify', 'createIndexes', 'bulkWrite']);

interface Counted {
  reads: string[];
  writes: string[];
  other: string[];
}

/** The app on a connection with the driver's command monitoring on: what each request sends to the database. */
async function monitoredApp(overrides: Partial<Config>) {
  const t = await createTestApp({ ...overrides, monitorCommands: true, logLevel: 'silent' });
  const started: CommandStartedEvent[] = [];
  t.connection.getClient().on('commandStarted', (event) => started.push(event));

  /** Runs the request alone and returns the commands it caused, by kind and collection. */
  async function cost(send: () => PromiseLike<{ status: number }>, expectedStatus: number): Promise<Counted> {
    // Let anything started earlier (index builds, activity records written after a response) finish first.
    await sleep(50);
    started.length = 0;
    const res = await send();
    expect(res.status).toBe(expectedStatus);
    await sleep(50);
    const label = (event: CommandStartedEvent) => `${event.commandName} ${String(event.command[event.commandName])}`;
    return {
      reads: started.filter((event) => READS.has(event.commandName)).map(label),
      writes: started.filter((event) => WRITES.has(event.commandName)).map(label),
      other: started.filter((event) => !READS.has(event.commandName) && !WRITES.has(event.commandName)).map(label),
    };
  }

  return { app: t.app, services: t.services, cost, close: () => t.close() };
}

describe('database commands per request (driver command monitoring)', () => {
  let t: Awaited<ReturnType<typeof monitoredApp>>;
  let cookie: string;

  beforeAll(async () => {
    t = await monitoredApp({ sessionCache: 'off' });
    const agent = supertest.agent(t.app);
    await register(agent);
    cookie = cookieHeader(issuedCookie(await agent.get('/api/auth/me')));
  });
  afterAll(() => t.close());

  it('an authenticated GET /api/auth/me within the touchAfter window costs exactly 1 read (the session) and 0 writes', async () => {
    for (let request = 0; request < 20; request += 1) {
      const counted = await t.cost(() => supertest(t.app).get('/api/auth/me').set('Cookie', cookie), 200);
      expect(counted).toEqual({ reads: ['find sessions'], writes: [], other: [] });
    }
  });

  const anonymous: [string, (agent: supertest.Agent) => supertest.Test, number][] = [
    ['GET /api/auth/me without a cookie', (agent) => agent.get('/api/auth/me'), 401],
    ['GET /api/sessions without a cookie', (agent) => agent.get('/api/sessions'), 401],
    ['GET /api/auth/me with a forged cookie', (agent) => agent.get('/api/auth/me').set('Cookie', 'gh.sid=s%3Aforged.signature'), 401],
    ['GET /api/auth/me with an unsigned cookie', (agent) => agent.get('/api/auth/me').set('Cookie', 'gh.sid=plain'), 401],
    ['GET /api/health', (agent) => agent.get('/api/health'), 200],
    ['GET an unknown API path', (agent) => agent.get('/api/nothing-here'), 404],
    ['OPTIONS preflight', (agent) => agent.options('/api/auth/login').set('Origin', 'http://localhost:0').set('Access-Control-Request-Method', 'POST'), 204],
    ['GET a page (no web build in tests: the hint page)', (agent) => agent.get('/login'), 404],
  ];

  it.each(anonymous)('an anonymous request costs 0 database commands: %s', async (_name, send, status) => {
    expect(await t.cost(() => send(supertest.agent(t.app)), status)).toEqual({ reads: [], writes: [], other: [] });
  });

  it('readiness is the one anonymous request that asks the database on purpose: 1 ping', async () => {
    const counted = await t.cost(() => supertest(t.app).get('/api/ready'), 200);
    expect(counted).toEqual({ reads: [], writes: [], other: ['ping 1'] });
  });
});

describe('database commands once touchAfter has passed', () => {
  let t: Awaited<ReturnType<typeof monitoredApp>>;
  beforeAll(async () => {
    t = await monitoredApp({ touchAfterSeconds: 1, idleTimeoutSeconds: 60, sessionCache: 'off' });
  });
  afterAll(() => t.close());

  it('the first authenticated GET after touchAfter costs 1 read and 1 write (the touch), the next one 1 read again', async () => {
    const agent = supertest.agent(t.app);
    await register(agent);
    const cookie = cookieHeader(issuedCookie(await agent.get('/api/auth/me')));
    await sleep(1100);
    expect(await t.cost(() => supertest(t.app).get('/api/auth/me').set('Cookie', cookie), 200)).toEqual({
      reads: ['find sessions'],
      writes: ['update sessions'],
      other: [],
    });
    expect(await t.cost(() => supertest(t.app).get('/api/auth/me').set('Cookie', cookie), 200)).toEqual({ reads: ['find sessions'], writes: [], other: [] });
  });
});

describe.each(['coherent', 'auto'] as const)('database commands with SESSION_CACHE=%s (auto: the default, coherent on this engine)', (sessionCache) => {
  let t: Awaited<ReturnType<typeof monitoredApp>>;
  beforeAll(async () => {
    t = await monitoredApp({ sessionCache });
    expect(await t.services.registry.feed.start()).toBe('stream');
  });
  afterAll(() => t.close());

  it('an authenticated GET /api/auth/me reads its session once, then is served from memory: 0 commands of its own', async () => {
    const agent = supertest.agent(t.app);
    await register(agent);
    // The change feed's own getMore (one awaitable read a second, whatever the traffic) is not the request's.
    const ofRequest = (counted: Counted) => ({ ...counted, reads: counted.reads.filter((read) => !read.startsWith('getMore')) });
    let cookie = '';
    const first = await t.cost(async () => {
      const res = await agent.get('/api/auth/me');
      cookie = cookieHeader(issuedCookie(res));
      return res;
    }, 200);
    // Signing in wrote the session (and evicted it from memory): the first request reads it back.
    expect(ofRequest(first)).toEqual({ reads: ['find sessions'], writes: [], other: [] });
    for (let request = 0; request < 20; request += 1) {
      expect(ofRequest(await t.cost(() => supertest(t.app).get('/api/auth/me').set('Cookie', cookie), 200))).toEqual({ reads: [], writes: [], other: [] });
    }
  });
});

import { setTimeout as sleep } from 'node:timers/promises';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPasswordHasher } from '../auth/passwords';
import type { PasswordHasher } from '../auth/passwords';
import type { SessionCacheMode } from '../config';
import { SESSIONS_COLLECTION } from '../sessions/registry';
import type { SessionDocument } from '../sessions/store';
import { createAccount } from '../test/accounts';
import type { Account } from '../test/accounts';
import { cookieHeader, findCookie, SESSION_COOKIE } from '../test/cookies';
import { lastMailTo, tokenIn } from '../test/mail';
import { signIn, signInAdmin } from '../test/sign-in';
import type { SignedIn } from '../test/sign-in';
import { createTestApp, uniqueDbName } from '../test/test-app';
import type { TestApp } from '../test/test-app';
import { TEST_HASHING_COST } from '../test/test-config';

/**
 * S31: a credential proof (here re-authentication, the one a stolen session can repeat at will) racing
 * a change that takes rights away never leaves a session with the old rights once the change has
 * returned. Raced for real, many times, on one instance and across two, and with each dangerous
 * interleaving forced.
 */

const RACES_PER_CHANGE = Number(process.env.RACES ?? 200);
/**
 * Strict (every request reads its session) and the coherent cache (sessions served from memory). The
 * cache adds no path of its own to a proof, only to reading a session: a fifth of the races keeps the
 * file's time reasonable.
 */
const MODES: { mode: SessionCacheMode; races: number }[] = [
  { mode: 'off', races: RACES_PER_CHANGE },
  { mode: 'coherent', races: Math.max(1, Math.round(RACES_PER_CHANGE / 5)) },
];
const NEW_PASSWORD = 'a brand new correct horse';

/** Holds the next caller of `pass()` (one only) until `open()`; `reached` resolves once it waits. */
class Gate {
  private isArmed = false;
  private resume: (() => void) | undefined;
  private onReached: (() => void) | undefined;
  reached: Promise<void> = Promise.resolve();

  armForNext(): void {
    this.isArmed = true;
    this.reached = new Promise((resolve) => (this.onReached = resolve));
  }

  async pass(): Promise<void> {
    if (!this.isArmed) return;
    this.isArmed = false;
    this.onReached?.();
    await new Promise<void>((resolve) => (this.resume = resolve));
  }

  open(): void {
    this.isArmed = false;
    this.resume?.();
    this.resume = undefined;
  }
}

/** The test-cost hasher, taking a few milliseconds per check as argon2 does, and able to hold a check. */
function racingHasher(gate: Gate): PasswordHasher {
  const real = createPasswordHasher(TEST_HASHING_COST);
  return {
    ...real,
    async verify(hash, password) {
      await gate.pass();
      await sleep(Math.random() * 6);
      return real.verify(hash, password);
    },
  };
}

interface Instance {
  t: TestApp;
  verifyGate: Gate;
  /** Held after a new session was written and before the registry checks the account again. */
  insertGate: Gate;
  admin: SignedIn;
}

async function instance(dbName: string, sessionCache: SessionCacheMode): Promise<Instance> {
  const verifyGate = new Gate();
  const insertGate = new Gate();
  // The admin signs in once per instance and the whole file takes minutes: keep its proof fresh for the run.
  const t = await createTestApp({
    dbName,
    keepDatabase: true,
    hasher: racingHasher(verifyGate),
    reauthWindowSeconds: 3600,
    sessionCache,
    afterSessionInsert: () => insertGate.pass(),
  });
  return { t, verifyGate, insertGate, admin: await signInAdmin(t) };
}

interface Change {
  name: string;
  role: Account['role'];
  /** Makes the change through `changer` and waits for it to return. */
  make(target: { account: Account; changer: Instance; owner: SignedIn }): Promise<void>;
  /** What "no old rights" means for this change, checked once it has returned and every proof settled. */
  check(target: { account: Account; prover: Instance; owner: SignedIn; held: string[] }): Promise<void>;
}

const userSessions = (t: TestApp, userId: string) => t.connection.collection<SessionDocument>(SESSIONS_COLLECTION).find({ 'session.userId': userId }).toArray();

const statusWith = async (t: TestApp, path: string, cookie: string) => (await supertest(t.app).get(path).set('Cookie', cookie)).status;

async function expectAllSignedOut(t: TestApp, held: string[]): Promise<void> {
  const statuses = await Promise.all(held.map((cookie) => statusWith(t, '/api/auth/me', cookie)));
  expect(
    statuses.filter((status) => status !== 401),
    'cookies still signed in',
  ).toEqual([]);
}

const CHANGES: Change[] = [
  {
    name: 'an admin disables the account',
    role: 'user',
    async make({ account, changer }) {
      expect((await changer.admin.agent.post(`/api/admin/users/${account.id}/disable`)).status).toBe(200);
    },
    async check({ account, prover, held }) {
      expect(await userSessions(prover.t, account.id)).toEqual([]);
      await expectAllSignedOut(prover.t, held);
    },
  },
  {
    name: 'the owner changes the password',
    role: 'user',
    async make({ account, owner }) {
      const res = await owner.agent.post('/api/auth/password').send({ currentPassword: account.password, newPassword: NEW_PASSWORD });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    },
    async check({ account, prover, owner, held }) {
      const left = await userSessions(prover.t, account.id);
      expect(left, 'only the session that changed the password').toHaveLength(1);
      expect((await owner.agent.get('/api/auth/me')).status).toBe(200);
      await expectAllSignedOut(prover.t, held);
    },
  },
  {
    name: 'the account is demoted from admin',
    role: 'admin',
    async make({ account, changer }) {
      expect((await changer.admin.agent.post(`/api/admin/users/${account.id}/role`).send({ role: 'user' })).status).toBe(200);
    },
    async check({ account, prover, held }) {
      for (const doc of await userSessions(prover.t, account.id)) expect(doc.session.user?.role).toBe('user');
      const statuses = await Promise.all(held.map((cookie) => statusWith(prover.t, '/api/admin/users', cookie)));
      expect(
        statuses.filter((status) => status !== 401 && status !== 403),
        'cookies still admin',
      ).toEqual([]);
    },
  },
  {
    name: 'the password is reset through a mailed link (S35)',
    role: 'user',
    async make({ account, changer }) {
      expect((await supertest(changer.t.app).post('/api/auth/password/forgot').send({ email: account.email })).status).toBe(202);
      const token = tokenIn(await lastMailTo(changer.t, account.email, 'set a new password'));
      const res = await supertest(changer.t.app).post('/api/auth/password/reset').send({ token, password: NEW_PASSWORD });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    },
    async check({ account, prover, owner, held }) {
      // A reset keeps no session, not even one of the owner's.
      expect(await userSessions(prover.t, account.id)).toEqual([]);
      expect((await owner.agent.get('/api/auth/me')).status).toBe(401);
      await expectAllSignedOut(prover.t, held);
    },
  },
  {
    name: 'an admin ends every session of the account',
    role: 'user',
    async make({ account, changer }) {
      expect((await changer.admin.agent.delete(`/api/admin/users/${account.id}/sessions`)).status).toBe(200);
    },
    async check({ account, prover, held }) {
      expect(await userSessions(prover.t, account.id)).toEqual([]);
      await expectAllSignedOut(prover.t, held);
    },
  },
];

/** Re-authenticates over and over until told to stop or the session is gone, keeping every cookie it was given. */
async function reauthLoop(attacker: SignedIn, password: string, isStopped: () => boolean, held: Set<string>, statuses: Map<number, number>): Promise<void> {
  while (!isStopped()) {
    const res = await attacker.agent.post('/api/auth/reauth').send({ password });
    statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    const issued = findCookie(res, SESSION_COOKIE);
    if (issued) held.add(cookieHeader(issued));
    if (res.status !== 200) return;
  }
}

/**
 * With the coherent cache, another instance's change reaches the prover's memory through the change
 * stream (coherent-cache.test.ts measures that window): the check starts once the prover's feed has seen
 * everything committed so far. The changer's own instance is checked with no wait at all. Strict mode
 * has no feed running here: nothing to wait for.
 */
async function caughtUp(prover: Instance, changer: Instance): Promise<void> {
  if (prover !== changer) await prover.t.services.registry.feed.sync();
}

async function raceOnce(change: Change, prover: Instance, changer: Instance, statuses: Map<number, number>): Promise<void> {
  const account = await createAccount(prover.t, { role: change.role });
  const attackers = [await signIn(prover.t, account), await signIn(prover.t, account)];
  const owner = await signIn(changer.t, account);
  const held = new Set(attackers.map((attacker) => attacker.cookie));
  let isStopped = false;
  const loops = attackers.map((attacker) => reauthLoop(attacker, account.password, () => isStopped, held, statuses));
  await sleep(Math.random() * 12);
  await change.make({ account, changer, owner });
  isStopped = true;
  await Promise.all(loops);
  await caughtUp(prover, changer);
  await change.check({ account, prover, owner, held: [...held] });
}

describe.each(MODES)('S31: re-authentication racing account changes, on one instance and across two (SESSION_CACHE=$mode)', ({ mode, races }) => {
  let a: Instance;
  let b: Instance;
  beforeAll(async () => {
    const dbName = uniqueDbName();
    a = await instance(dbName, mode);
    b = await instance(dbName, mode);
    if (mode === 'coherent') for (const { t } of [a, b]) expect(await t.services.registry.feed.start()).toBe('stream');
  });
  afterAll(async () => {
    await a.t.connection.dropDatabase();
    await a.t.close();
    await b.t.close();
  });

  const topologies = () => [
    { topology: 'one instance', prover: a, changer: a },
    { topology: 'two instances', prover: a, changer: b },
  ];

  it.each(CHANGES)(
    `S31: two re-authentication loops vs $name, ${races} races (alternately on one and two instances): 0 sessions keep the old rights`,
    { timeout: 240_000 },
    async (change) => {
      const statuses = new Map<number, number>();
      for (let race = 0; race < races; race += 1) {
        const { prover, changer } = topologies()[race % 2] as ReturnType<typeof topologies>[number];
        await raceOnce(change, prover, changer, statuses);
      }
      console.info(
        `S31 (SESSION_CACHE=${mode}): ${change.name}: ${races} races, re-authentications answered ${JSON.stringify(Object.fromEntries(statuses))}; sessions left with the old rights: 0`,
      );
    },
  );

  it.each(CHANGES)(
    'S31: $name while a re-authentication is checking the password: the proof fails and leaves nothing, on one and two instances',
    async (change) => {
      for (const { prover, changer } of topologies()) await forcedInterleaving(change, prover, changer, (target) => target.verifyGate);
    },
  );

  it.each(CHANGES)(
    'S31: $name after a re-authentication wrote its new session but before it checked the account: it discards itself, on one and two instances',
    async (change) => {
      for (const { prover, changer } of topologies()) await forcedInterleaving(change, prover, changer, (target) => target.insertGate);
    },
  );
});

async function forcedInterleaving(change: Change, prover: Instance, changer: Instance, gateOf: (instance: Instance) => Gate): Promise<void> {
  const account = await createAccount(prover.t, { role: change.role });
  const attacker = await signIn(prover.t, account);
  const owner = await signIn(changer.t, account);
  const gate = gateOf(prover);
  gate.armForNext();
  const proof = attacker.agent
    .post('/api/auth/reauth')
    .send({ password: account.password })
    .then((res) => res);
  await gate.reached;
  try {
    await change.make({ account, changer, owner });
  } finally {
    gate.open();
  }
  const res = await proof;
  await caughtUp(prover, changer);
  const issued = findCookie(res, SESSION_COOKIE);
  expect([401, 403, 409], `proof answered ${res.status} ${JSON.stringify(res.body)}`).toContain(res.status);
  await change.check({ account, prover, owner, held: [attacker.cookie, ...(issued ? [cookieHeader(issued)] : [])] });
}

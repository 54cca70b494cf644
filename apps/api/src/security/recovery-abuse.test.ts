import supertest from 'supertest';
import type { Response } from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRODUCTION_HASHING_COST } from '../config';
import { createAccount, newCredentials } from '../test/accounts';
import { cookieHeader, findCookie } from '../test/cookies';
import { lastMailTo, mailTo, tokenIn } from '../test/mail';
import { sessionDocs, signIn } from '../test/sign-in';
import { createTestApp } from '../test/test-app';
import type { TestApp } from '../test/test-app';

/** Headers that may differ between any two responses; everything else must match (S18). */
const VOLATILE_HEADERS = new Set(['date', 'x-request-id', 'etag']);
const stableHeaders = (res: Response) =>
  Object.keys(res.headers)
    .filter((name) => !VOLATILE_HEADERS.has(name))
    .sort()
    .map((name) => `${name}: ${String(res.headers[name])}`);
const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)] ?? 0;

type Kind = 'known' | 'unknown';

/**
 * Sends alternately for a known and an unknown address, waiting between samples for the work done after
 * each response, so every sample times the response path alone. Returns the responses and times.
 */
async function compare(t: TestApp, samples: number, send: (kind: Kind, index: number) => Promise<Response>) {
  const timings: Record<Kind, number[]> = { known: [], unknown: [] };
  const responses: Record<Kind, Response[]> = { known: [], unknown: [] };
  for (let i = 0; i < samples; i += 1) {
    for (const kind of i % 2 === 0 ? (['known', 'unknown'] as const) : (['unknown', 'known'] as const)) {
      await t.services.jobs.settled();
      const started = performance.now();
      const res = await send(kind, i);
      timings[kind].push(performance.now() - started);
      responses[kind].push(res);
    }
  }
  return { timings, responses };
}

function expectAlike({ timings, responses }: Awaited<ReturnType<typeof compare>>, status: number): void {
  const reference = responses.known[0] as Response;
  for (const kind of ['known', 'unknown'] as const) {
    for (const res of responses[kind]) {
      expect(res.status).toBe(status);
      expect(res.body).toEqual(reference.body);
      expect(stableHeaders(res)).toEqual(stableHeaders(reference));
      expect(res.headers['set-cookie']).toBeUndefined();
    }
  }
  const [known, unknown] = [median(timings.known), median(timings.unknown)];
  console.info(`median ${known.toFixed(1)} ms (known address) vs ${unknown.toFixed(1)} ms (unknown address)`);
  // Generous on purpose (shared 2-core CI), like the sign-in comparison (S18).
  expect(Math.abs(known - unknown)).toBeLessThan(Math.max(known, unknown) * 0.5 + 10);
}

describe('S18, S34: no enumeration on forgot password and registration (production argon2 cost)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ passwordHashing: PRODUCTION_HASHING_COST });
  });
  afterAll(() => t.close());

  it(
    'S18, S34: forgot password for a known and an unknown address: same status, body and headers, similar median time; only the owner gets mail',
    { timeout: 60_000 },
    async () => {
      const owner = await createAccount(t);
      const unknown = newCredentials().email;
      const result = await compare(t, 12, (kind) =>
        supertest(t.app)
          .post('/api/auth/password/forgot')
          .send({ email: kind === 'known' ? owner.email : unknown }),
      );
      expectAlike(result, 202);
      expect(await mailTo(t, owner.email, 'set a new password')).toHaveLength(12);
      expect(await mailTo(t, unknown)).toHaveLength(0);
    },
  );

  it(
    'S18, S34: registering a new and an existing address: same status, body and headers (no cookie), similar median time; the owner gets a notice',
    { timeout: 120_000 },
    async () => {
      const owner = await createAccount(t);
      const fresh: string[] = [];
      const result = await compare(t, 8, (kind) => {
        const credentials = newCredentials({ password: 'a brand new passphrase for this' });
        if (kind === 'unknown') fresh.push(credentials.email);
        return supertest(t.app)
          .post('/api/auth/register')
          .send({ ...credentials, email: kind === 'known' ? owner.email : credentials.email });
      });
      expectAlike(result, 202);
      const notices = await mailTo(t, owner.email, 'someone tried to create an account with your address');
      expect(notices).toHaveLength(8);
      expect(notices[0]?.text).toContain('/forgot-password');
      expect(notices[0]?.text).not.toContain('token=');
      for (const email of fresh) expect(await mailTo(t, email, 'confirm your email address')).toHaveLength(1);
      // The owner's password is untouched by the attempts.
      expect((await supertest(t.app).post('/api/auth/login').send({ email: owner.email, password: owner.password })).status).toBe(200);
    },
  );
});

describe('S35: a reset racing credential proofs leaves no session with the old password (S31)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const ROUNDS = 5;

  it(
    `S35: two re-authentication loops and a sign-in loop with the old password racing the reset, ${ROUNDS} rounds: 0 sessions survive, every cookie 401`,
    { timeout: 120_000 },
    async () => {
      const account = await createAccount(t);
      let password = account.password;
      const outcomes = new Map<number, number>();
      for (let round = 0; round < ROUNDS; round += 1) {
        const [first, second] = [await signIn(t, { email: account.email, password }), await signIn(t, { email: account.email, password })];
        await supertest(t.app).post('/api/auth/password/forgot').send({ email: account.email });
        const token = tokenIn(await lastMailTo(t, account.email, 'set a new password'));
        const newPassword = `round ${round} passphrase, long enough`;

        let isRacing = true;
        const cookies = new Set<string>([first.cookie, second.cookie]);
        const reauthLoop = async (agent: supertest.Agent) => {
          while (isRacing) {
            const res = await agent.post('/api/auth/reauth').send({ password });
            outcomes.set(res.status, (outcomes.get(res.status) ?? 0) + 1);
            const issued = findCookie(res);
            if (issued) cookies.add(cookieHeader(issued));
            if (res.status === 401) return;
          }
        };
        const signInLoop = async () => {
          while (isRacing) {
            const res = await supertest(t.app).post('/api/auth/login').send({ email: account.email, password });
            outcomes.set(res.status, (outcomes.get(res.status) ?? 0) + 1);
            const issued = findCookie(res);
            if (issued) cookies.add(cookieHeader(issued));
          }
        };
        const loops = [reauthLoop(first.agent), reauthLoop(second.agent), signInLoop()];
        await new Promise((resolve) => setTimeout(resolve, 20 + round * 15));
        const reset = await supertest(t.app).post('/api/auth/password/reset').send({ token, password: newPassword });
        isRacing = false;
        await Promise.all(loops);
        expect(reset.status).toBe(200);

        expect(await sessionDocs(t, { 'session.userId': account.id })).toHaveLength(0);
        for (const cookie of cookies) expect((await supertest(t.app).get('/api/auth/me').set('Cookie', cookie)).status).toBe(401);
        password = newPassword;
      }
      console.info(`S35: statuses during the races ${JSON.stringify(Object.fromEntries(outcomes))}`);
      expect((await supertest(t.app).post('/api/auth/login').send({ email: account.email, password })).status).toBe(200);
    },
  );
});

import { request } from 'node:http';
import type { Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectDatabase } from '../db/connection';
import { SESSIONS_COLLECTION } from '../sessions/registry';
import { TEST_SECRET } from '../test/test-config';
import { STRONG_PASSWORD } from '../test/accounts';
import { unsignSid } from '../test/cookies';
import { httpRequest, keepAliveAgent, sessionCookie } from '../test/http-client';
import type { HttpResult } from '../test/http-client';
import { killAll, removeDir, startApi, startEngine, tempDir } from '../test/processes';
import type { EngineProcess } from '../test/processes';
import { registerWithSessions } from '../test/sign-in';

const SHUTDOWN_GRACE_MS = 5000;
const WORKERS = 12;
/** Like a load balancer polling readiness: traffic keeps coming this long after the first 503. */
const ROUTING_LAG_MS = 300;

const dirs: string[] = [];
let engine: EngineProcess;
let connection: Connection;

beforeAll(async () => {
  const dbPath = tempDir('r8');
  dirs.push(dbPath);
  engine = await startEngine({ dbPath });
  connection = await connectDatabase({ uri: engine.database('gatehouse'), timeoutMs: 2000 });
}, 60_000);

afterAll(async () => {
  await connection?.close();
  await killAll();
  dirs.forEach(removeDir);
});

interface Outcome {
  kind: 'me' | 'extend' | 'login' | 'ready';
  at: number;
  status?: number;
  error?: string;
  sid?: string;
}

const sidOf = (cookie: string) => unsignSid(cookie, TEST_SECRET);

/** Opens the live stream and resolves when the server ends it. */
function openEventStream(baseUrl: string, cookie: string): Promise<{ opened: Promise<number>; ended: Promise<'ended' | 'error'> }> {
  return new Promise((resolve) => {
    let onOpen: (status: number) => void = () => {};
    const opened = new Promise<number>((done) => (onOpen = done));
    const ended = new Promise<'ended' | 'error'>((done) => {
      const req = request(new URL('/api/events', baseUrl), { headers: { Cookie: cookie, Accept: 'text/event-stream' } }, (res) => {
        onOpen(res.statusCode ?? 0);
        res.resume();
        res.on('end', () => done('ended'));
        res.on('error', () => done('error'));
      });
      req.on('error', () => done('error'));
      req.end();
    });
    resolve({ opened, ended });
  });
}

describe('R8: graceful shutdown', () => {
  it(
    'R8: SIGTERM under load: readiness 503 first, in-flight requests and session saves finish, streams close, exit 0 within the grace period, 0 failed requests',
    { timeout: 90_000 },
    async () => {
      const api = await startApi({ MONGODB_URI: engine.database('gatehouse'), SESSION_SECRETS: TEST_SECRET, SHUTDOWN_GRACE_MS: String(SHUTDOWN_GRACE_MS) });
      const user = await registerWithSessions(api.baseUrl, 4);
      const stream = await openEventStream(api.baseUrl, user.cookies[0] ?? '');
      expect(await stream.opened).toBe(200);

      const outcomes: Outcome[] = [];
      let signalledAt = Number.POSITIVE_INFINITY;
      let unroutedAt = Number.POSITIVE_INFINITY;
      const record = async (kind: Outcome['kind'], send: () => Promise<HttpResult>): Promise<boolean> => {
        try {
          const res = await send();
          const outcome: Outcome = { kind, at: performance.now(), status: res.status };
          if (kind === 'login' && res.status === 200) outcome.sid = sidOf(sessionCookie(res));
          outcomes.push(outcome);
          return true;
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
          outcomes.push({ kind, at: performance.now(), error: code });
          // Refused: the server stopped listening, which is what a load balancer following readiness expects.
          return code !== 'ECONNREFUSED';
        }
      };

      const worker = async (index: number) => {
        const agent = keepAliveAgent(1);
        const cookie = user.cookies[index % user.cookies.length] ?? '';
        for (let round = 0; ; round += 1) {
          const kind: Outcome['kind'] = index === 0 && round % 4 === 0 ? 'login' : round % 3 === 0 ? 'extend' : 'me';
          const keepGoing = await record(kind, () =>
            kind === 'login'
              ? httpRequest(api.baseUrl, '/api/auth/login', { method: 'POST', json: { email: user.email, password: STRONG_PASSWORD }, agent })
              : kind === 'extend'
                ? httpRequest(api.baseUrl, '/api/sessions/current/extend', { method: 'POST', cookie, agent })
                : httpRequest(api.baseUrl, '/api/auth/me', { cookie, agent }),
          );
          if (!keepGoing || performance.now() >= unroutedAt) break;
        }
        agent.destroy();
      };
      const prober = async () => {
        const agent = keepAliveAgent(1);
        while (await record('ready', () => httpRequest(api.baseUrl, '/api/ready', { agent }))) {
          if (outcomes.at(-1)?.status === 503 && unroutedAt === Number.POSITIVE_INFINITY) unroutedAt = performance.now() + ROUTING_LAG_MS;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        agent.destroy();
      };

      const load = Promise.all([prober(), ...Array.from({ length: WORKERS }, (_, index) => worker(index))]);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      // A sign-in is still hashing (production argon2 cost) when the signal lands: it must finish and its session be saved.
      const inFlightLogin = httpRequest(api.baseUrl, '/api/auth/login', { method: 'POST', json: { email: user.email, password: STRONG_PASSWORD } });
      await new Promise((resolve) => setTimeout(resolve, 5));
      signalledAt = performance.now();
      api.process.kill('SIGTERM');
      const signedInDuringShutdown = await inFlightLogin;
      const inFlightSid = sidOf(sessionCookie(signedInDuringShutdown));
      const exitCode = await api.exited;
      const exitMs = performance.now() - signalledAt;
      await load;

      const failed = outcomes.filter(
        (outcome) =>
          (outcome.error !== undefined && outcome.error !== 'ECONNREFUSED') ||
          (outcome.status !== undefined && outcome.kind !== 'ready' && outcome.status !== 200),
      );
      const afterSignal = outcomes.filter((outcome) => outcome.at >= signalledAt);
      const readiness = outcomes.filter((outcome) => outcome.kind === 'ready' && outcome.at >= signalledAt).map((outcome) => outcome.status ?? outcome.error);
      const logins = outcomes.filter((outcome) => outcome.kind === 'login' && outcome.sid);
      const savedLogins = await connection.collection(SESSIONS_COLLECTION).countDocuments({ _id: { $in: logins.map((outcome) => outcome.sid as never) } });
      console.info(
        `R8: ${outcomes.length} requests (${afterSignal.length} answered after SIGTERM), ${failed.length} failed; exit ${exitCode} after ${exitMs.toFixed(0)} ms; readiness after SIGTERM ${JSON.stringify(readiness.slice(0, 8))}; logins saved ${savedLogins}/${logins.length}`,
      );
      expect(failed.map((outcome) => `${outcome.kind} ${outcome.status ?? outcome.error}`)).toEqual([]);
      expect(exitCode).toBe(0);
      expect(exitMs).toBeLessThan(SHUTDOWN_GRACE_MS);
      // The signal takes a moment to arrive: a 200 or two may come first, then 503s, and only then refusals.
      const first503 = readiness.indexOf(503);
      expect(first503, 'readiness turned 503').toBeGreaterThanOrEqual(0);
      expect(
        readiness.slice(first503).filter((status) => status === 200),
        'never ready again',
      ).toEqual([]);
      expect(readiness.indexOf('ECONNREFUSED'), 'readiness said 503 before connections were refused').toBeGreaterThan(first503);
      expect(
        afterSignal.some((outcome) => outcome.status === 200 && outcome.kind !== 'ready'),
        'requests in flight at SIGTERM completed',
      ).toBe(true);
      expect(signedInDuringShutdown.status, 'the sign-in in flight at SIGTERM completed').toBe(200);
      expect(await connection.collection(SESSIONS_COLLECTION).countDocuments({ _id: inFlightSid as never }), 'and its session was saved').toBe(1);
      expect(savedLogins).toBe(logins.length);
      expect(await stream.ended).toBe('ended');
      expect(api.output()).toMatch(/shutting down: readiness 503/);
    },
  );
});

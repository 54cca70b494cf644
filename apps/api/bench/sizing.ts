/**
 * The sizing table: what one core serves. Each instance is its own process pinned to one core with its
 * engine inside (as `npm start`), load from another core. Authenticated requests per second for each
 * session mode in SCENARIOS (a new mode is one entry there), sign-ins per second at the production
 * argon2 cost, memory per 10,000 sessions (bench/cached-memory.ts), and the coherent cache's revocation
 * window across two instances. `tsx bench/sizing.ts [--quick]`.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type autocannon from 'autocannon';
import { PRODUCTION_HASHING_COST } from '../src/config';
import { percentile } from '../src/test/http-client';
import {
  BENCH_PASSWORD,
  FORWARDED,
  getJson,
  newSecrets,
  post,
  register,
  send,
  sessionCookieOf,
  signIn,
  startGatehouseProcess,
  startSharedEngine,
  stopGatehouseProcess,
} from './gatehouse-process';
import type { GatehouseProcess, GatehouseProcessOptions } from './gatehouse-process';
import { signedIn } from './device-binding';
import { fixed, log, medians, runLoad } from './measure';
import type { LoadFigures } from './measure';
import { firstLine, LOAD_CORE, spawnNode, stop } from './processes';
import { isEntryPoint, runAlone, targetTable } from './section';
import type { BenchSection, SectionOptions, Target } from './section';

const CONNECTIONS = 50;
const REVOCATION_P99_LIMIT_MS = 50;

/**
 * One way of serving authenticated requests. `headersFor` signs in on the instance and returns what a
 * client sends with each `GET /api/auth/me`; `pending` leaves the row in the table, unmeasured.
 */
export interface SizingScenario {
  name: string;
  instance?: Pick<GatehouseProcessOptions, 'sessionCache' | 'env'>;
  headersFor?(server: GatehouseProcess): Promise<Record<string, string>>;
  pending?: string;
}

async function passwordSignIn(server: GatehouseProcess): Promise<Record<string, string>> {
  const email = `sizing-${randomUUID().slice(0, 8)}@example.com`;
  await register(server.baseUrl, email);
  return { Cookie: await signIn(server.baseUrl, email), ...FORWARDED };
}

export const SCENARIOS: SizingScenario[] = [
  { name: 'strict (`SESSION_CACHE=off`: one session read per request)', instance: { sessionCache: 'off' }, headersFor: passwordSignIn },
  { name: 'coherent (`SESSION_CACHE=coherent`: sessions from memory)', instance: { sessionCache: 'coherent' }, headersFor: passwordSignIn },
  {
    name: 'device-bound (strict, and the bound cookie checked on each request)',
    instance: { sessionCache: 'off' },
    headersFor: async (server) => ({ Cookie: await signedIn(server.baseUrl, true), ...FORWARDED }),
  },
];

interface Timing {
  rounds: number;
  seconds: number;
  warmUpSeconds: number;
  loginSeconds: number;
  revocationTrials: number;
}

const timingOf = (quick: boolean): Timing =>
  quick
    ? { rounds: 1, seconds: 3, warmUpSeconds: 2, loginSeconds: 3, revocationTrials: 20 }
    : { rounds: 3, seconds: 10, warmUpSeconds: 5, loginSeconds: 8, revocationTrials: 100 };

type Throughput = ReturnType<typeof medians> & { rounds: number[] };

/** Interleaved rounds of GET /api/auth/me at 50 connections against every measurable scenario. */
async function measureRequests(work: string, timing: Timing): Promise<Map<string, Throughput>> {
  const running: { scenario: SizingScenario; server: GatehouseProcess; load: autocannon.Options }[] = [];
  try {
    for (const scenario of SCENARIOS) {
      if (scenario.pending || !scenario.headersFor) continue;
      const server = await startGatehouseProcess(`sizing ${scenario.name}`, { workDir: work, ...scenario.instance });
      running.push({
        scenario,
        server,
        load: { url: `${server.baseUrl}/api/auth/me`, connections: CONNECTIONS, duration: timing.seconds, headers: await scenario.headersFor(server) },
      });
    }
    for (const { scenario, server, load } of running)
      await runLoad(`sizing warm-up ${scenario.name}`, { ...load, duration: timing.warmUpSeconds }, [server.process]);
    const runs = new Map<string, LoadFigures[]>(running.map(({ scenario }) => [scenario.name, []]));
    for (let round = 1; round <= timing.rounds; round += 1)
      for (const { scenario, server, load } of running)
        runs.get(scenario.name)?.push(await runLoad(`sizing round ${round} ${scenario.name}`, load, [server.process]));
    return new Map([...runs].map(([name, figures]) => [name, { ...medians(figures), rounds: figures.map((run) => run.reqPerSec) }]));
  } finally {
    for (const { server } of running) await stopGatehouseProcess(server);
  }
}

/** POST /api/auth/login with the right password, 2 connections: the production limit of password checks in flight per account. */
async function measureSignIns(work: string, timing: Timing): Promise<ReturnType<typeof medians>> {
  const server = await startGatehouseProcess('sizing sign-in', { workDir: work });
  try {
    const email = `sign-in-${randomUUID().slice(0, 8)}@example.com`;
    await register(server.baseUrl, email);
    const load: autocannon.Options = {
      url: `${server.baseUrl}/api/auth/login`,
      method: 'POST',
      connections: 2,
      duration: timing.loginSeconds,
      headers: { 'Content-Type': 'application/json', ...FORWARDED },
      body: JSON.stringify({ email, password: BENCH_PASSWORD }),
    };
    await runLoad('sizing sign-in warm-up', { ...load, duration: 2 }, [server.process]);
    const runs: LoadFigures[] = [];
    for (let round = 1; round <= timing.rounds; round += 1) runs.push(await runLoad(`sizing sign-in round ${round}`, load, [server.process]));
    return medians(runs);
  } finally {
    await stopGatehouseProcess(server);
  }
}

interface MemoryFigures {
  sessions: number;
  cached: number;
  storedBytesPer10k: number;
  cachedBytesPer10k: number;
  documentBsonBytes: number;
}

async function measureMemory(): Promise<MemoryFigures> {
  const child = spawnNode(LOAD_CORE, ['--expose-gc', 'bench/cached-memory.ts']);
  const figures = JSON.parse(await firstLine(child, 300_000)) as MemoryFigures;
  await stop(child);
  log(`sizing memory: ${JSON.stringify(figures)}`);
  return figures;
}

interface WindowFigures {
  trials: number;
  p50: number;
  p99: number;
  max: number;
  /** Answers of 200 B gave for the revoked session after A had answered the revocation. */
  staleAnswers: number;
}

/**
 * The coherent cache's window across two instances on one engine (all on the server core): a session B
 * holds in memory is revoked on A; B is asked back to back until it answers 401; the window runs from
 * A's answer to B's first 401 (that request's own round trip included). Nothing is sent to A meanwhile.
 */
async function measureRevocationWindow(work: string, trials: number): Promise<WindowFigures> {
  const engine = await startSharedEngine(join(work, 'revocation-engine'));
  const secrets = newSecrets();
  const shared = { workDir: work, sessionCache: 'coherent' as const, mongodbUri: engine.uri, secrets };
  const a = await startGatehouseProcess('revocation A', shared);
  const b = await startGatehouseProcess('revocation B', shared);
  try {
    const email = `window-${randomUUID().slice(0, 8)}@example.com`;
    await register(a.baseUrl, email);
    const revoker = await signIn(a.baseUrl, email);
    const meOnB = async (cookie: string) => (await send(`${b.baseUrl}/api/auth/me`, { headers: { Cookie: cookie, ...FORWARDED } })).status;
    const windows: number[] = [];
    let staleAnswers = 0;
    for (let trial = 0; trial < trials; trial += 1) {
      const cookie = sessionCookieOf(await post(a.baseUrl, '/api/auth/login', { email, password: BENCH_PASSWORD }));
      const { session } = await getJson<{ session: { handle: string } }>(a.baseUrl, '/api/sessions/current', cookie);
      for (let warm = 0; warm < 3; warm += 1) if ((await meOnB(cookie)) !== 200) throw new Error('B refused a live session');
      await sleep(20);
      const revoked = await send(`${a.baseUrl}/api/sessions/${session.handle}`, { method: 'DELETE', headers: { Cookie: revoker, ...FORWARDED } });
      const answeredAt = performance.now();
      if (revoked.status !== 204) throw new Error(`revocation on A: ${revoked.status}`);
      for (;;) {
        const status = await meOnB(cookie);
        if (status === 401) break;
        if (status !== 200) throw new Error(`B answered ${status}`);
        staleAnswers += 1;
        if (performance.now() - answeredAt > 10_000) throw new Error('B still served a revoked session after 10 s');
      }
      windows.push(performance.now() - answeredAt);
    }
    const figures = { trials: windows.length, p50: percentile(windows, 50), p99: percentile(windows, 99), max: Math.max(...windows), staleAnswers };
    log(`sizing revocation window: ${JSON.stringify(figures)}`);
    return figures;
  } finally {
    await stopGatehouseProcess(a);
    await stopGatehouseProcess(b);
    await stop(engine.process);
  }
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

async function runSizing({ quick }: SectionOptions): Promise<string> {
  const timing = timingOf(quick);
  const loadAtStart = loadavg()[0] ?? NaN;
  const work = mkdtempSync(join(tmpdir(), 'gatehouse-sizing-'));
  try {
    const requests = await measureRequests(work, timing);
    const signIns = await measureSignIns(work, timing);
    const memory = await measureMemory();
    const window = await measureRevocationWindow(work, timing.revocationTrials);
    const loadAtEnd = loadavg()[0] ?? NaN;
    const hashing = PRODUCTION_HASHING_COST;
    const lines = [
      `Sizing (one core per instance, engine inside it as \`npm start\` runs; load from the other core; ${timing.rounds} interleaved rounds of ${timing.seconds} s, medians). ` +
        '"Per core at full use" is 1 s of CPU divided by the server CPU each request took: what a core serves when nothing else runs on it. ' +
        `Load average ${fixed(loadAtStart, 1)} at the start, ${fixed(loadAtEnd, 1)} at the end.`,
      '',
      '| sizing | measured | per core at full use | latency | server CPU |',
      '|---|---:|---:|---|---:|',
      ...SCENARIOS.map((scenario) => {
        const figures = requests.get(scenario.name);
        if (!figures) return `| authenticated requests/s, ${scenario.name} | ${scenario.pending ?? 'n/a'} | | | |`;
        return `| authenticated requests/s (GET /api/auth/me, ${CONNECTIONS} connections), ${scenario.name} | ${fixed(figures.reqPerSec)} req/s (rounds ${figures.rounds.map((value) => fixed(value)).join(' / ')}) | ${fixed(1e6 / figures.cpuMicrosPerRequest)} req/s | p50 ${figures.p50} ms, p99 ${figures.p99} ms | ${fixed(figures.cpuMicrosPerRequest)} µs/request |`;
      }),
      `| sign-ins/s (POST /api/auth/login, correct password, 2 connections; argon2id m=${hashing.memoryCost} KiB, t=${hashing.timeCost}, p=${hashing.parallelism}) | ${fixed(signIns.reqPerSec, 1)} /s | ${fixed(1000 / (signIns.cpuMicrosPerRequest / 1000), 1)} /s | p50 ${signIns.p50} ms, p99 ${signIns.p99} ms | ${fixed(signIns.cpuMicrosPerRequest / 1000, 1)} ms/sign-in |`,
      `| memory per 10,000 sessions held by the coherent cache (heap after GC; ${memory.cached} cached) | ${mib(memory.cachedBytesPer10k)} | | | |`,
      `| memory per 10,000 sessions stored in the embedded engine (heap after GC; ${memory.documentBsonBytes} BSON bytes per document) | ${mib(memory.storedBytesPer10k)} | | | |`,
      `| revocation window across two instances (SESSION_CACHE=coherent; revoked on A, seen as 401 on B), ${window.trials} trials | p50 ${fixed(window.p50, 1)} ms, p99 ${fixed(window.p99, 1)} ms, max ${fixed(window.max, 1)} ms | | ${window.staleAnswers} stale 200s from B in all | |`,
      '',
      ...targetTable([
        {
          what: `revocation on A seen as 401 on B, p99 over ${window.trials} trials`,
          measured: window.p99,
          limit: REVOCATION_P99_LIMIT_MS,
          kind: 'max',
          unit: ' ms',
        },
      ] satisfies Target[]),
    ];
    return lines.join('\n');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export const sizing: BenchSection = { name: 'sizing', run: runSizing };

if (isEntryPoint(import.meta.url)) runAlone(sizing);

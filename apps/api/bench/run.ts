/**
 * `npm run bench` — see docs/performance.md for what each part measures and why.
 * Servers run as their own processes on core 0 (each with its database engine), autocannon in its own
 * process on core 1 (taskset), over 127.0.0.1. Throughput comparisons are interleaved rounds in which
 * each server is measured with the others paused; figures are medians, ratios the median of the
 * per-round ratios. Side by side: Gatehouse with its default settings (SESSION_CACHE unset: auto),
 * strict (SESSION_CACHE=off) and with SESSION_CACHE=coherent, express-session + connect-mongo
 * (defaults, and configured for Gatehouse's database work) and express-session + MemoryStore; then
 * the cost of each of Gatehouse's own layers (bench/layers.ts) and the revocation window of the
 * coherent cache across two instances; last, the activity export's memory at 10k and 100k entries
 * (bench/activity-export.ts).
 * Flags: --quick (1 round, short runs: a smoke test), --cpu-prof (profile the Gatehouse servers).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type autocannon from 'autocannon';
import mongoose from 'mongoose';
import { PRODUCTION_HASHING_COST } from '../src/config';
import { start as startEngine } from '@gatehouse/embedded-mongo';
import { benchActivityExport } from './activity-export';
import { measureCommandCosts } from './db-cost';
import { runLoginTiming } from './login-timing';
import type { CommandCost } from './db-cost';
import { ENGINE_CLI, firstLine, freePort, LOAD_CORE, pinningNote, REPO_ROOT, SERVER_CORE, spawnNode, stop, waitUntil } from './processes';
import { percentile } from '../src/test/http-client';
import { measureWebSizes, totalGzipBytes } from './web-size';
import { fixed, log, median, medians, runLoad } from './measure';
import type { LoadFigures } from './measure';
import { SECTIONS } from './sections';

const args = new Set(process.argv.slice(2));
const QUICK = args.has('--quick');
const CPU_PROF = args.has('--cpu-prof');
/** Five rounds: the machine drifts by up to 1.8× from one minute to the next, and a median of three moved with it. */
const ROUNDS = QUICK ? 1 : 5;
const ME_SECONDS = QUICK ? 3 : 8;
const LOGIN_SECONDS = QUICK ? 3 : 8;
const LIST_SECONDS = QUICK ? 2 : 5;
const CONNECTIONS = 50;
const WARM_UP_SECONDS = 5;
/** Before each measured run, after the server was paused (a paused coherent cache no longer vouches for itself). */
const REWARM_SECONDS = 1;
/** One connection: p99 then shows what a request costs rather than how long it queued behind 49 others. */
const SINGLE_CONNECTION_SECONDS = QUICK ? 2 : 5;
const LIST_STORE_SIZE = 100_000;
const LIST_USER_SESSIONS = 50;
const PASSWORD = 'correct horse battery staple';
const FORWARDED = { 'X-Forwarded-Proto': 'https' };
const LAG_TRIALS = QUICK ? 20 : 100;
const LAYER_CYCLES = QUICK ? 2 : 10;
const DEFAULT = 'Gatehouse default (SESSION_CACHE unset: auto)';
const STRICT = 'Gatehouse SESSION_CACHE=off (strict)';
const COHERENT = 'Gatehouse SESSION_CACHE=coherent';
const CONNECT_MONGO_DEFAULTS = 'express-session + connect-mongo, defaults';
const CONNECT_MONGO = 'express-session + connect-mongo, same database work';
const BASELINE = 'express-session + MemoryStore';

const work = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
const started = Date.now();

interface Server {
  name: string;
  baseUrl: string;
  processes: ChildProcess[];
  dataDir?: string;
  isBaseline?: boolean;
}

async function post(baseUrl: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...FORWARDED, ...headers }, body: JSON.stringify(body) });
}

function sessionCookieOf(res: Response): string {
  const cookie = res.headers.getSetCookie().find((value) => /^(__Host-)?gh\.sid=s%3A/.test(value));
  if (!cookie) throw new Error(`no session cookie (${res.status})`);
  return cookie.split(';')[0] ?? '';
}

interface GatehouseOptions {
  /** `default`: SESSION_CACHE left unset, as a fresh deployment runs (auto). */
  sessionCache?: 'default' | 'off' | 'coherent';
  /** A database shared with another instance (the engine then runs elsewhere); default: the engine in the API process, as `npm start`. */
  mongodbUri?: string;
  /** Instances that share a database share their secrets (a cookie from one is valid on the other). */
  secrets?: { session: string; totp: string };
}

function newSecrets(): { session: string; totp: string } {
  return { session: randomBytes(32).toString('base64url'), totp: randomBytes(32).toString('base64') };
}

/** The embedded engine as its own process on the server core, for instances that share it. */
async function startSharedEngine(name: string): Promise<{ uri: string; process: ChildProcess }> {
  const engineProcess = spawnNode(SERVER_CORE, [ENGINE_CLI, '--port', '0', '--dbpath', join(work, name)], { cwd: REPO_ROOT });
  return { uri: `${(JSON.parse(await firstLine(engineProcess)) as { uri: string }).uri}gatehouse`, process: engineProcess };
}

/** Gatehouse as deployed: NODE_ENV=production behind a TLS proxy (trust proxy + X-Forwarded-Proto), logs at info to a file. */
async function startGatehouse(name: string, { sessionCache = 'default', mongodbUri = '', secrets = newSecrets() }: GatehouseOptions = {}): Promise<Server> {
  const dataDir = join(work, name.replaceAll(/[^A-Za-z0-9]+/g, '-'));
  const port = await freePort();
  const processes: ChildProcess[] = [];
  const nodeArgs = CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${join(work, 'profiles')}`] : [];
  const api = spawnNode(SERVER_CORE, [...nodeArgs, 'src/server.ts'], {
    env: {
      NODE_ENV: 'production',
      // The bench measures Gatehouse, not a third-party service: no breached-password look-ups.
      PWNED_PASSWORDS: 'off',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      SESSION_SECRETS: secrets.session,
      TOTP_ENCRYPTION_KEYS: secrets.totp,
      ...(sessionCache === 'default' ? {} : { SESSION_CACHE: sessionCache }),
      TRUST_PROXY: 'loopback',
      LOG_LEVEL: 'info',
      // Production settings; without MONGODB_URI production runs the embedded engine only when told to.
      ...(mongodbUri ? { MONGODB_URI: mongodbUri } : { EMBEDDED_MONGO: 'allow' }),
    },
    logFile: logFileOf(name),
  });
  processes.unshift(api);
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitUntil(async () => (await fetch(`${baseUrl}/api/ready`)).status === 200, `${name} readiness`);
  return { name, baseUrl, processes, dataDir };
}

function logFileOf(name: string): string {
  return join(work, `${name.replaceAll(/[^A-Za-z0-9]+/g, '-')}.log`);
}

async function startBaseline(name: string, store: 'memory' | 'connect-mongo' | 'connect-mongo-defaults'): Promise<Server> {
  const child = spawnNode(SERVER_CORE, ['bench/baseline-server.ts', '0', store]);
  const { port } = JSON.parse(await firstLine(child)) as { port: number };
  return { name, baseUrl: `http://127.0.0.1:${port}`, processes: [child], isBaseline: true };
}

async function stopServer(server: Server): Promise<void> {
  for (const child of server.processes) await stop(child);
}

async function signedInCookie(server: Server, email: string): Promise<string> {
  if (server.isBaseline) return sessionCookieOf(await post(server.baseUrl, '/api/auth/login', {}));
  const registered = await post(server.baseUrl, '/api/auth/register', { name: 'Bench', email, password: PASSWORD });
  if (registered.status !== 202) throw new Error(`registration on ${server.name}: ${registered.status} ${await registered.text()}`);
  const signedIn = await post(server.baseUrl, '/api/auth/login', { email, password: PASSWORD });
  if (signedIn.status !== 200) throw new Error(`sign-in on ${server.name}: ${signedIn.status} ${await signedIn.text()}`);
  return sessionCookieOf(signedIn);
}

function meLoad(server: Server, cookie: string, seconds: number, connections = CONNECTIONS): autocannon.Options {
  return { url: `${server.baseUrl}/api/auth/me`, connections, duration: seconds, headers: { Cookie: cookie, ...FORWARDED } };
}

/**
 * Runs `measure` with every other server stopped (SIGSTOP), then lets them go on (SIGCONT). Idle servers
 * still wake up (change feeds, driver heartbeats, timers, their collectors' threads), and on one core each
 * wake-up is taken from the server being measured. After the pause the server is warmed up again for
 * REWARM_SECONDS: its change feed was not heard from meanwhile, so its coherent cache starts over.
 */
async function alone<T>(server: Server, servers: Server[], cookie: string, measure: () => Promise<T>): Promise<T> {
  const others = servers.filter((other) => other !== server).flatMap((other) => other.processes);
  for (const child of others) child.kill('SIGSTOP');
  try {
    await runLoad(`${server.name} re-warm`, meLoad(server, cookie, REWARM_SECONDS), server.processes);
    return await measure();
  } finally {
    for (const child of others) child.kill('SIGCONT');
  }
}

async function benchMe(servers: Server[], cookies: Map<string, string>) {
  log(`warm-up: ${servers.map((server) => server.name).join(', ')}`);
  for (const server of servers) await runLoad(`${server.name} warm-up`, meLoad(server, cookies.get(server.name) ?? '', WARM_UP_SECONDS), server.processes);
  const runs = new Map<string, LoadFigures[]>(servers.map((server) => [server.name, []]));
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const server of servers) {
      const cookie = cookies.get(server.name) ?? '';
      const figures = await alone(server, servers, cookie, () =>
        runLoad(`round ${round} ${server.name}`, meLoad(server, cookie, ME_SECONDS), server.processes),
      );
      runs.get(server.name)?.push(figures);
    }
  }
  return new Map([...runs].map(([name, figures]) => [name, { ...medians(figures), rounds: figures }]));
}

/**
 * A's figure over B's, round by round, then the median: the servers compared run next to each other in
 * each round, so the machine's drift between rounds cancels out of each ratio.
 */
function pairedRatio<T>(a: { rounds: T[] } | undefined, b: { rounds: T[] } | undefined, figure: (run: T) => number): number {
  if (!a || !b) return NaN;
  return median(a.rounds.map((run, round) => figure(run) / (b.rounds[round] ? figure(b.rounds[round]) : NaN)));
}

interface LatencyFigures {
  requests: number;
  p50: number;
  p99: number;
}

async function runLatency(label: string, server: Server, cookie: string): Promise<LatencyFigures> {
  const options = { url: `${server.baseUrl}/api/auth/me`, headers: { Cookie: cookie, ...FORWARDED }, seconds: SINGLE_CONNECTION_SECONDS };
  const child = spawnNode(LOAD_CORE, ['bench/latency.ts', JSON.stringify(options)]);
  const figures = JSON.parse(await firstLine(child, 60_000)) as LatencyFigures;
  await stop(child);
  log(`${label}: ${figures.requests} requests, p50 ${figures.p50.toFixed(2)} ms, p99 ${figures.p99.toFixed(2)} ms`);
  return figures;
}

async function benchMeSingleConnection(servers: Server[], cookies: Map<string, string>) {
  const runs = new Map<string, LatencyFigures[]>(servers.map((server) => [server.name, []]));
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const server of servers) {
      const cookie = cookies.get(server.name) ?? '';
      runs.get(server.name)?.push(await alone(server, servers, cookie, () => runLatency(`1 connection round ${round} ${server.name}`, server, cookie)));
    }
  }
  return new Map(
    [...runs].map(([name, figures]) => [
      name,
      {
        p50: median(figures.map((run) => run.p50)),
        p99: median(figures.map((run) => run.p99)),
        requests: median(figures.map((run) => run.requests)),
        rounds: figures,
      },
    ]),
  );
}

async function benchLogin(server: Server) {
  const email = `login-${randomUUID().slice(0, 8)}@example.com`;
  await signedInCookie(server, email);
  const options: autocannon.Options = {
    url: `${server.baseUrl}/api/auth/login`,
    method: 'POST',
    // MAX_CONCURRENT_PASSWORD_CHECKS_PER_ACCOUNT (2 in production): more at once for one account would be 429s.
    connections: 2,
    duration: LOGIN_SECONDS,
    headers: { 'Content-Type': 'application/json', ...FORWARDED },
    body: JSON.stringify({ email, password: PASSWORD }),
  };
  await runLoad('login warm-up', { ...options, duration: 2 }, server.processes);
  const runs: LoadFigures[] = [];
  for (let round = 1; round <= ROUNDS; round += 1) runs.push(await runLoad(`login round ${round}`, options, server.processes));
  return { ...medians(runs), connections: 2 };
}

/** Sessions shaped exactly like the user's real one, bulk-inserted through the driver. */
async function fillSessionStore(server: Server, userId: string, total: number) {
  const { uri } = JSON.parse(readFileSync(join(server.dataDir ?? '', 'embedded-mongo.json'), 'utf8')) as { uri: string };
  const connection = await mongoose.createConnection(uri, { dbName: 'gatehouse' }).asPromise();
  try {
    const sessions = connection.collection<Record<string, unknown>>('sessions');
    const template = await sessions.findOne({ 'session.userId': userId });
    if (!template) throw new Error('the listing user has no stored session');
    const clone = (owner: string, index: number) => {
      const { _id: _ignored, ...rest } = template;
      const session = { ...(rest.session as Record<string, unknown>), userId: owner, user: { ...((rest.session as { user?: object }).user ?? {}), id: owner } };
      return {
        ...rest,
        _id: randomBytes(24).toString('base64url'),
        ...('handle' in rest ? { handle: randomBytes(24).toString('base64url') } : {}),
        session,
        lastModified: new Date(Date.now() - index * 1000),
      };
    };
    const own = Array.from({ length: LIST_USER_SESSIONS - 1 }, (_, index) => clone(userId, index + 1));
    await sessions.insertMany(own as never[], { ordered: false });
    const smallStore = await sessions.countDocuments();
    return {
      smallStore,
      async fill() {
        let count = await sessions.countDocuments();
        const batch = 5000;
        while (count < total) {
          const size = Math.min(batch, total - count);
          // About four sessions per account, like the engine benchmark; ids shaped like ObjectId strings.
          const docs = Array.from({ length: size }, (_, offset) =>
            clone(
              Math.floor((count + offset) / 4)
                .toString(16)
                .padStart(24, 'f'),
              offset,
            ),
          );
          await sessions.insertMany(docs as never[], { ordered: false });
          count += size;
        }
        return sessions.countDocuments();
      },
      close: () => connection.close(),
    };
  } catch (error) {
    await connection.close();
    throw error;
  }
}

async function benchListing(server: Server) {
  const email = `list-${randomUUID().slice(0, 8)}@example.com`;
  const cookie = await signedInCookie(server, email);
  const me = (await (await fetch(`${server.baseUrl}/api/auth/me`, { headers: { Cookie: cookie, ...FORWARDED } })).json()) as { user: { id: string } };
  const store = await fillSessionStore(server, me.user.id, LIST_STORE_SIZE);
  const options: autocannon.Options = {
    url: `${server.baseUrl}/api/sessions`,
    connections: 10,
    duration: LIST_SECONDS,
    headers: { Cookie: cookie, ...FORWARDED },
  };
  const listed = (await (await fetch(options.url, { headers: { Cookie: cookie, ...FORWARDED } })).json()) as { sessions: unknown[] };
  if (listed.sessions.length !== LIST_USER_SESSIONS) throw new Error(`expected ${LIST_USER_SESSIONS} sessions listed, got ${listed.sessions.length}`);
  try {
    await runLoad('listing warm-up', { ...options, duration: 2 }, server.processes);
    const small: LoadFigures[] = [];
    for (let round = 1; round <= ROUNDS; round += 1)
      small.push(await runLoad(`listing, ${store.smallStore} stored, round ${round}`, options, server.processes));
    const fillStarted = Date.now();
    const large = await store.fill();
    log(`inserted up to ${large} sessions in ${((Date.now() - fillStarted) / 1000).toFixed(1)} s`);
    await runLoad('listing warm-up (large)', { ...options, duration: 2 }, server.processes);
    const big: LoadFigures[] = [];
    for (let round = 1; round <= ROUNDS; round += 1) big.push(await runLoad(`listing, ${large} stored, round ${round}`, options, server.processes));
    return { small: { stored: store.smallStore, ...medians(small) }, large: { stored: large, ...medians(big) } };
  } finally {
    await store.close();
  }
}

interface LagFigures {
  trials: number;
  p50: number;
  p99: number;
  max: number;
  /** Answers of 200 B gave for the revoked session after A had answered the revocation. */
  staleAnswers: number;
  /** Requests A logged while B was being asked (the revocation reached B without any). */
  requestsOnA: number;
}

/** The instance's start-up line saying how it serves sessions (SESSION_CACHE=auto decides from the database). */
async function sessionCacheLine(name: string): Promise<string> {
  let line: string | undefined;
  await waitUntil(async () => {
    line = readFileSync(logFileOf(name), 'utf8')
      .split('\n')
      .find((entry) => entry.includes('"msg":"sessions: '));
    return line !== undefined;
  }, `${name}'s start-up line on sessions`);
  return (JSON.parse(line ?? '{}') as { msg?: string }).msg ?? '';
}

/** Request lines in an instance's log so far (one JSON line per request, written once its response is done). */
function requestLines(name: string): number {
  try {
    return readFileSync(logFileOf(name), 'utf8')
      .split('\n')
      .filter((line) => line.includes('"msg":"request ')).length;
  } catch {
    return NaN;
  }
}

/**
 * The coherent cache's window, across two instances on one engine (all on the server core): a session
 * held in memory by B is revoked on A; B is then asked back to back until it answers 401. The lag runs
 * from A's answer to the revocation to B's first 401.
 */
async function benchRevocationLag(): Promise<LagFigures> {
  const engine = await startSharedEngine('revocation-engine');
  const secrets = newSecrets();
  const a = await startGatehouse('revocation A', { sessionCache: 'coherent', mongodbUri: engine.uri, secrets });
  const b = await startGatehouse('revocation B', { sessionCache: 'coherent', mongodbUri: engine.uri, secrets });
  try {
    const email = `lag-${randomUUID().slice(0, 8)}@example.com`;
    const revoker = await signedInCookie(a, email);
    const me = (baseUrl: string, cookie: string) => fetch(`${baseUrl}/api/auth/me`, { headers: { Cookie: cookie, ...FORWARDED } });
    const lags: number[] = [];
    let staleAnswers = 0;
    let requestsOnA = 0;
    for (let trial = 0; trial < LAG_TRIALS; trial += 1) {
      const signedIn = await post(a.baseUrl, '/api/auth/login', { email, password: PASSWORD });
      if (signedIn.status !== 200) throw new Error(`sign-in on A: ${signedIn.status}`);
      const cookie = sessionCookieOf(signedIn);
      const current = (await (await fetch(`${a.baseUrl}/api/sessions/current`, { headers: { Cookie: cookie, ...FORWARDED } })).json()) as {
        session: { handle: string };
      };
      // B reads the session once, then holds it in memory.
      for (let warm = 0; warm < 3; warm += 1) if ((await me(b.baseUrl, cookie)).status !== 200) throw new Error('B refused a live session');
      // A's log is written in batches within 10 ms (http/logging.ts): its lines so far are out once it has been idle a moment.
      await sleep(40);
      const linesOnA = requestLines(a.name);
      const revoked = await fetch(`${a.baseUrl}/api/sessions/${current.session.handle}`, { method: 'DELETE', headers: { Cookie: revoker, ...FORWARDED } });
      const answeredAt = performance.now();
      if (revoked.status !== 204) throw new Error(`revocation on A: ${revoked.status}`);
      for (;;) {
        const status = (await me(b.baseUrl, cookie)).status;
        if (status === 401) break;
        if (status !== 200) throw new Error(`B answered ${status}`);
        staleAnswers += 1;
        if (performance.now() - answeredAt > 10_000) throw new Error('B still served a revoked session after 10 s');
      }
      lags.push(performance.now() - answeredAt);
      await sleep(40);
      // Every line A wrote since, but the revocation's own.
      requestsOnA += requestLines(a.name) - linesOnA - 1;
    }
    const figures = { trials: lags.length, p50: percentile(lags, 50), p99: percentile(lags, 99), max: Math.max(...lags), staleAnswers, requestsOnA };
    log(
      `revocation lag over ${figures.trials} trials: p50 ${figures.p50.toFixed(1)} ms, p99 ${figures.p99.toFixed(1)} ms, max ${figures.max.toFixed(1)} ms; stale 200s ${staleAnswers}; requests on A meanwhile ${requestsOnA}`,
    );
    return figures;
  } finally {
    await stopServer(a);
    await stopServer(b);
    await stop(engine.process);
  }
}

/** bench/layers.ts as its own run (it pins its server and load processes itself); its table. */
async function benchLayers(sessionCache: 'off' | 'coherent'): Promise<string> {
  const child = spawnNode(LOAD_CORE, ['bench/layers.ts', `--cycles=${LAYER_CYCLES}`, `--session-cache=${sessionCache}`, ...(QUICK ? ['--quick'] : [])]);
  let table = '';
  child.stdout?.on('data', (chunk: Buffer) => (table += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`bench/layers.ts exited with ${code}`);
  return table.trim();
}

function machine() {
  const cpu = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  return {
    nproc: availableParallelism(),
    cpu,
    node: process.version,
    loadAverage: loadavg()
      .map((value) => value.toFixed(2))
      .join(' '),
  };
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

interface Target {
  what: string;
  measured: number;
  limit: number;
  /** `min`: the measured value must be at least the limit; `max`: at most. */
  kind: 'min' | 'max';
  unit: string;
}

function targetsOf(me: Awaited<ReturnType<typeof benchMe>>, single: Awaited<ReturnType<typeof benchMeSingleConnection>>, lag: LagFigures): Target[] {
  const byDefault = me.get(DEFAULT);
  const strict = me.get(STRICT);
  const coherent = me.get(COHERENT);
  const connectMongo = me.get(CONNECT_MONGO);
  const memory = me.get(BASELINE);
  const strictSingle = single.get(STRICT);
  const connectMongoSingle = single.get(CONNECT_MONGO);
  const reqPerSec = (run: LoadFigures) => run.reqPerSec;
  const p99 = (run: LoadFigures) => run.p99;
  return [
    {
      what: 'default settings req/s ÷ connect-mongo (same database work), 50 connections',
      measured: pairedRatio(byDefault, connectMongo, reqPerSec),
      limit: 2.0,
      kind: 'min',
      unit: '×',
    },
    {
      what: 'default settings p99 ÷ connect-mongo (same database work), 50 connections',
      measured: pairedRatio(byDefault, connectMongo, p99),
      limit: 0.7,
      kind: 'max',
      unit: '×',
    },
    {
      what: 'strict req/s ÷ connect-mongo (same database work), 50 connections',
      measured: pairedRatio(strict, connectMongo, reqPerSec),
      limit: 0.8,
      kind: 'min',
      unit: '×',
    },
    {
      what: 'strict p99 ÷ connect-mongo (same database work), 50 connections',
      measured: pairedRatio(strict, connectMongo, p99),
      limit: 1.5,
      kind: 'max',
      unit: '×',
    },
    {
      what: 'strict p50 ÷ connect-mongo (same database work), 1 connection',
      measured: pairedRatio(strictSingle, connectMongoSingle, (run) => run.p50),
      limit: 1.3,
      kind: 'max',
      unit: '×',
    },
    { what: 'coherent req/s ÷ MemoryStore, 50 connections', measured: pairedRatio(coherent, memory, reqPerSec), limit: 0.8, kind: 'min', unit: '×' },
    { what: `revocation on A seen as 401 on B, p99 over ${lag.trials} trials`, measured: lag.p99, limit: 50, kind: 'max', unit: ' ms' },
    { what: 'requests on A while B was asked', measured: lag.requestsOnA, limit: 0, kind: 'max', unit: '' },
  ];
}

function report(results: {
  machine: ReturnType<typeof machine>;
  web: ReturnType<typeof measureWebSizes>;
  costs: CommandCost[];
  me: Awaited<ReturnType<typeof benchMe>>;
  singleConnection: Awaited<ReturnType<typeof benchMeSingleConnection>>;
  login: Awaited<ReturnType<typeof benchLogin>>;
  listing: Awaited<ReturnType<typeof benchListing>>;
  layers: { strict: string; coherent: string };
  lag: LagFigures;
  defaultMode: string;
  seconds: number;
}): string {
  const lines: string[] = [];
  const { machine: m } = results;
  lines.push(`Machine: nproc ${m.nproc}, CPU "${m.cpu}", Node ${m.node}, load average at start ${m.loadAverage}; ${pinningNote()}.`);
  lines.push(
    `Rounds: ${ROUNDS} interleaved, ${ME_SECONDS} s each at ${CONNECTIONS} connections (after a ${WARM_UP_SECONDS} s warm-up per server), each server alone on its core (the others paused) and warmed up again for ${REWARM_SECONDS} s first; figures are medians, ratios the median of the per-round ratios (the servers compared run next to each other in each round). Every server runs its database engine inside its own process (as npm start does). Total ${fixed(results.seconds)} s.`,
    '',
  );

  const connectMongo = results.me.get(CONNECT_MONGO);
  const baseline = results.me.get(BASELINE);
  lines.push(`${DEFAULT} logged at start: "${results.defaultMode}".`, '');
  lines.push(
    '| GET /api/auth/me (valid session), 50 connections | req/s | p50 ms | p99 ms | server CPU µs/request | req/s vs connect-mongo (same work) | p99 vs connect-mongo (same work) | req/s vs MemoryStore | non-2xx | errors |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const [name, figures] of results.me) {
    const vsConnectMongo = pairedRatio(figures, connectMongo, (run) => run.reqPerSec);
    const p99VsConnectMongo = pairedRatio(figures, connectMongo, (run) => run.p99);
    const vsMemory = pairedRatio(figures, baseline, (run) => run.reqPerSec);
    lines.push(
      `| ${name} | ${fixed(figures.reqPerSec)} | ${figures.p50} | ${figures.p99} | ${fixed(figures.cpuMicrosPerRequest)} | ${fixed(vsConnectMongo, 2)}× | ${fixed(p99VsConnectMongo, 2)}× | ${fixed(vsMemory, 2)}× | ${figures.non2xx} | ${figures.errors} |`,
    );
  }
  lines.push(
    '',
    'Per round (req/s): ' + [...results.me].map(([name, figures]) => `${name} ${figures.rounds.map((run) => fixed(run.reqPerSec)).join(' / ')}`).join('; '),
    '',
  );

  const singleConnectMongo = results.singleConnection.get(CONNECT_MONGO);
  lines.push(
    `| GET /api/auth/me, one request at a time (${SINGLE_CONNECTION_SECONDS} s rounds, medians) | requests | p50 ms | p99 ms | p50 vs connect-mongo (same work) |`,
    '|---|---:|---:|---:|---:|',
  );
  for (const [name, figures] of results.singleConnection) {
    const ratio = pairedRatio(figures, singleConnectMongo, (run) => run.p50);
    lines.push(`| ${name} | ${fixed(figures.requests)} | ${figures.p50.toFixed(2)} | ${figures.p99.toFixed(2)} | ${fixed(ratio, 2)}× |`);
  }
  lines.push('');

  const { lag } = results;
  lines.push(
    `Revocation window (SESSION_CACHE=coherent, two instances and their engine on core ${SERVER_CORE}; a session held in memory by B revoked on A, B asked back to back until 401; ${lag.trials} trials): ` +
      `p50 ${lag.p50.toFixed(1)} ms, p99 ${lag.p99.toFixed(1)} ms, max ${lag.max.toFixed(1)} ms after A answered; B answered 200 ${lag.staleAnswers} times in all meanwhile; requests on A meanwhile: ${lag.requestsOnA}.`,
    '',
  );

  lines.push('| Target | measured | limit | met |', '|---|---:|---:|---|');
  for (const target of targetsOf(results.me, results.singleConnection, lag)) {
    const isMet = target.kind === 'min' ? target.measured >= target.limit : target.measured <= target.limit;
    const digits = target.unit === '×' ? 2 : target.unit === ' ms' ? 1 : 0;
    lines.push(
      `| ${target.what} | ${fixed(target.measured, digits)}${target.unit} | ${target.kind === 'min' ? '≥' : '≤'} ${target.limit}${target.unit} | ${isMet ? 'yes' : 'NO'} |`,
    );
  }
  lines.push('');

  lines.push(`Per-layer cost of Gatehouse's own middleware (bench/layers.ts), strict:`, '', results.layers.strict, '');
  lines.push(`The same with SESSION_CACHE=coherent:`, '', results.layers.coherent, '');

  lines.push('| Database commands per request (driver command monitoring) | reads | writes | commands |', '|---|---:|---:|---|');
  for (const cost of results.costs)
    lines.push(`| ${cost.request} | ${+cost.readsPerRequest.toFixed(2)} | ${+cost.writesPerRequest.toFixed(2)} | ${cost.commands} |`);
  lines.push('');

  const hashing = PRODUCTION_HASHING_COST;
  lines.push(
    `Login (POST /api/auth/login, correct password, ${results.login.connections} connections, argon2id m=${hashing.memoryCost} KiB t=${hashing.timeCost} p=${hashing.parallelism}): ` +
      `${fixed(results.login.reqPerSec, 1)} req/s, p50 ${results.login.p50} ms, p99 ${results.login.p99} ms, server CPU ${fixed(results.login.cpuMicrosPerRequest / 1000, 1)} ms/login, non-2xx ${results.login.non2xx}.`,
    '',
  );

  const { small, large } = results.listing;
  lines.push(
    `| GET /api/sessions (user with ${LIST_USER_SESSIONS} sessions, 10 connections) | stored sessions | req/s | p50 ms | p99 ms | server CPU µs/request |`,
    '|---|---:|---:|---:|---:|---:|',
  );
  lines.push(`| small store | ${small.stored} | ${fixed(small.reqPerSec)} | ${small.p50} | ${small.p99} | ${fixed(small.cpuMicrosPerRequest)} |`);
  lines.push(`| large store | ${large.stored} | ${fixed(large.reqPerSec)} | ${large.p50} | ${large.p99} | ${fixed(large.cpuMicrosPerRequest)} |`, '');

  if (results.web) {
    lines.push(`Web (gzip -9 of the JS + CSS fetched, ${results.web.distDir}):`, '');
    lines.push('| route | files | gzip |', '|---|---|---:|');
    for (const route of results.web.routes)
      lines.push(
        `| ${route.route} | ${route.assets.map((asset) => `${asset.file.replace('assets/', '')} ${kib(asset.gzipBytes)}`).join(', ')} | ${kib(route.gzipBytes)} |`,
      );
    lines.push(
      `| admin chunk (extra, admins only) | ${results.web.admin.map((asset) => `${asset.file.replace('assets/', '')} ${kib(asset.gzipBytes)}`).join(', ')} | ${kib(totalGzipBytes(results.web.admin))} |`,
    );
  } else {
    lines.push('Web: apps/web/dist not built (npm run build -w @gatehouse/web); sizes skipped.');
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const info = machine();
  log(`machine: ${JSON.stringify(info)}; ${pinningNote()}; work dir ${work}`);
  const web = measureWebSizes(join(REPO_ROOT, 'apps/web/dist'));
  log('database commands per request');
  const costs = await measureCommandCosts();
  log('S18 sign-in timing: unknown account vs wrong password');
  const timingEngine = await startEngine({ logger: { info: () => {}, warn: () => {} } });
  const loginTimingOk = await runLoginTiming(timingEngine.uri).finally(() => timingEngine.stop());

  log('starting servers');
  const byDefault = await startGatehouse(DEFAULT);
  const defaultMode = await sessionCacheLine(DEFAULT);
  log(`${DEFAULT}: ${defaultMode}`);
  const strict = await startGatehouse(STRICT, { sessionCache: 'off' });
  const coherent = await startGatehouse(COHERENT, { sessionCache: 'coherent' });
  const connectMongoDefaults = await startBaseline(CONNECT_MONGO_DEFAULTS, 'connect-mongo-defaults');
  const connectMongo = await startBaseline(CONNECT_MONGO, 'connect-mongo');
  const baseline = await startBaseline(BASELINE, 'memory');
  // Each pair a target compares runs side by side in every round: default and strict next to connect-mongo
  // doing the same work, coherent next to MemoryStore.
  const servers = [byDefault, connectMongo, strict, coherent, baseline, connectMongoDefaults];
  try {
    const cookies = new Map<string, string>();
    for (const server of servers) cookies.set(server.name, await signedInCookie(server, `me-${randomUUID().slice(0, 8)}@example.com`));
    const me = await benchMe(servers, cookies);
    const singleConnection = await benchMeSingleConnection(servers, cookies);
    for (const server of [byDefault, coherent, connectMongoDefaults, connectMongo, baseline]) await stopServer(server);
    log('login');
    const login = await benchLogin(strict);
    log('sessions listing');
    const listing = await benchListing(strict);
    await stopServer(strict);
    log('per-layer costs (bench/layers.ts), strict and coherent');
    const layers = { strict: await benchLayers('off'), coherent: await benchLayers('coherent') };
    log('revocation window of the coherent cache, two instances');
    const lag = await benchRevocationLag();
    process.stdout.write(
      `${report({ machine: info, web, costs, me, singleConnection, login, listing, layers, lag, defaultMode, seconds: (Date.now() - started) / 1000 })}\n`,
    );
    process.stdout.write(`S18 sign-in timing within 10 %: ${loginTimingOk ? 'yes' : 'NO'} (figures in the log line above)\n`);
    log('activity export, 10k and 100k entries (bench/activity-export.ts)');
    process.stdout.write(`\n${(await benchActivityExport()).report}\n`);
    // Sections of their own (bench/sections.ts): each starts and stops its own servers.
    for (const section of SECTIONS) {
      log(section.name);
      process.stdout.write(`\n${await section.run({ quick: QUICK })}\n`);
    }
  } finally {
    for (const server of servers) await stopServer(server);
    if (CPU_PROF) log(`CPU profiles kept in ${join(work, 'profiles')}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});

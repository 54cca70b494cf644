/**
 * `npm run bench -w @gatehouse/api` — see docs/performance.md for what each part measures and why.
 * Servers run as their own processes on core 0, autocannon in its own process on core 1 (taskset),
 * over 127.0.0.1; throughput comparisons are interleaved rounds, reported as medians.
 * Flags: --quick (1 round, short runs: a smoke test), --cpu-prof (profile the Gatehouse server).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type autocannon from 'autocannon';
import mongoose from 'mongoose';
import { PRODUCTION_HASHING_COST } from '../src/config';
import { start as startEngine } from '@gatehouse/embedded-mongo';
import { measureCommandCosts } from './db-cost';
import { runLoginTiming } from './login-timing';
import type { CommandCost } from './db-cost';
import { ENGINE_CLI, firstLine, freePort, LOAD_CORE, pinningNote, REPO_ROOT, SERVER_CORE, spawnNode, stop, waitUntil } from './processes';
import { measureWebSizes, totalGzipBytes } from './web-size';

const args = new Set(process.argv.slice(2));
const QUICK = args.has('--quick');
const CPU_PROF = args.has('--cpu-prof');
const ROUNDS = QUICK ? 1 : 3;
const ME_SECONDS = QUICK ? 3 : 10;
const LOGIN_SECONDS = QUICK ? 3 : 8;
const LIST_SECONDS = QUICK ? 2 : 5;
const CONNECTIONS = 50;
const WARM_UP_SECONDS = 5;
/** One connection: p99 then shows what a request costs rather than how long it queued behind 49 others. */
const SINGLE_CONNECTION_SECONDS = QUICK ? 2 : 5;
const LIST_STORE_SIZE = 100_000;
const LIST_USER_SESSIONS = 50;
const PASSWORD = 'correct horse battery staple';
const FORWARDED = { 'X-Forwarded-Proto': 'https' };
const BASELINE = 'express-session + MemoryStore (baseline)';

const work = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
const started = Date.now();

interface LoadFigures {
  label: string;
  reqPerSec: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** Server-side CPU (user + system, every process of the server) per request: steadier than req/s on a shared machine. */
  cpuMicrosPerRequest: number;
}

/** utime + stime of a process in seconds (Linux /proc). */
function cpuSeconds(child: ChildProcess): number {
  try {
    const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

function log(message: string): void {
  process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${message}\n`);
}

async function runLoad(label: string, options: autocannon.Options, server?: Server): Promise<LoadFigures> {
  const serverCpu = () => (server ? server.processes.reduce((sum, child) => sum + cpuSeconds(child), 0) : NaN);
  const child = spawnNode(LOAD_CORE, ['bench/load.ts', JSON.stringify(options)]);
  // The load process prints once finished; its start-up (tsx) is outside the measured window on the server side too.
  const cpuBefore = serverCpu();
  const result = JSON.parse(await firstLine(child, 120_000)) as autocannon.Result;
  const cpuAfter = serverCpu();
  await stop(child);
  const figures = {
    label,
    reqPerSec: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    cpuMicrosPerRequest: (1e6 * (cpuAfter - cpuBefore)) / result.requests.total,
  };
  log(
    `${label}: ${figures.reqPerSec.toFixed(0)} req/s, p50 ${figures.p50} ms, p99 ${figures.p99} ms, non-2xx ${figures.non2xx}, errors ${figures.errors}` +
      (server ? `, server CPU ${figures.cpuMicrosPerRequest.toFixed(0)} µs/request` : ''),
  );
  return figures;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? NaN) : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
};

function medians(runs: LoadFigures[]) {
  return {
    reqPerSec: median(runs.map((run) => run.reqPerSec)),
    p50: median(runs.map((run) => run.p50)),
    p99: median(runs.map((run) => run.p99)),
    non2xx: runs.reduce((sum, run) => sum + run.non2xx, 0),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    cpuMicrosPerRequest: median(runs.map((run) => run.cpuMicrosPerRequest)),
  };
}

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

/** Gatehouse as deployed: NODE_ENV=production behind a TLS proxy (trust proxy + X-Forwarded-Proto), logs at info to a file. */
async function startGatehouse(name: string, engine: 'in-process' | 'separate'): Promise<Server> {
  const dataDir = join(work, name);
  const port = await freePort();
  const processes: ChildProcess[] = [];
  let mongodbUri = '';
  if (engine === 'separate') {
    const engineProcess = spawnNode(SERVER_CORE, [ENGINE_CLI, '--port', '0', '--dbpath', join(dataDir, 'engine')], { cwd: REPO_ROOT });
    processes.push(engineProcess);
    mongodbUri = `${(JSON.parse(await firstLine(engineProcess)) as { uri: string }).uri}gatehouse`;
  }
  const nodeArgs = CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${join(work, 'profiles')}`] : [];
  const api = spawnNode(SERVER_CORE, [...nodeArgs, 'src/server.ts'], {
    env: {
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      SESSION_SECRETS: randomBytes(32).toString('base64url'),
      TRUST_PROXY: 'loopback',
      LOG_LEVEL: 'info',
      // Production settings; without MONGODB_URI production runs the embedded engine only when told to.
      ...(mongodbUri ? { MONGODB_URI: mongodbUri } : { EMBEDDED_MONGO: 'allow' }),
    },
    logFile: join(work, `${name}.log`),
  });
  processes.unshift(api);
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitUntil(async () => (await fetch(`${baseUrl}/api/ready`)).status === 200, `${name} readiness`);
  return { name, baseUrl, processes, dataDir };
}

async function startBaseline(name: string, store: 'memory' | 'connect-mongo'): Promise<Server> {
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

async function benchMe(servers: Server[], cookies: Map<string, string>) {
  log(`warm-up: ${servers.map((server) => server.name).join(', ')}`);
  for (const server of servers) await runLoad(`${server.name} warm-up`, meLoad(server, cookies.get(server.name) ?? '', WARM_UP_SECONDS), server);
  const runs = new Map<string, LoadFigures[]>(servers.map((server) => [server.name, []]));
  for (let round = 1; round <= ROUNDS; round += 1) {
    for (const server of servers) runs.get(server.name)?.push(await runLoad(`round ${round} ${server.name}`, meLoad(server, cookies.get(server.name) ?? '', ME_SECONDS), server));
  }
  return new Map([...runs].map(([name, figures]) => [name, { ...medians(figures), rounds: figures }]));
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
    for (const server of servers) runs.get(server.name)?.push(await runLatency(`1 connection round ${round} ${server.name}`, server, cookies.get(server.name) ?? ''));
  }
  return new Map(
    [...runs].map(([name, figures]) => [name, { p50: median(figures.map((run) => run.p50)), p99: median(figures.map((run) => run.p99)), requests: median(figures.map((run) => run.requests)) }]),
  );
}

async function benchLogin(server: Server) {
  const email = `login-${randomUUID().slice(0, 8)}@example.com`;
  await signedInCookie(server, email);
  const options: autocannon.Options = {
    url: `${server.baseUrl}/api/auth/login`,
    method: 'POST',
    connections: 4,
    duration: LOGIN_SECONDS,
    headers: { 'Content-Type': 'application/json', ...FORWARDED },
    body: JSON.stringify({ email, password: PASSWORD }),
  };
  await runLoad('login warm-up', { ...options, duration: 2 }, server);
  const runs: LoadFigures[] = [];
  for (let round = 1; round <= ROUNDS; round += 1) runs.push(await runLoad(`login round ${round}`, options, server));
  return { ...medians(runs), connections: 4 };
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
          const docs = Array.from({ length: size }, (_, offset) => clone(Math.floor((count + offset) / 4).toString(16).padStart(24, 'f'), offset));
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
  const options: autocannon.Options = { url: `${server.baseUrl}/api/sessions`, connections: 10, duration: LIST_SECONDS, headers: { Cookie: cookie, ...FORWARDED } };
  const listed = (await (await fetch(options.url, { headers: { Cookie: cookie, ...FORWARDED } })).json()) as { sessions: unknown[] };
  if (listed.sessions.length !== LIST_USER_SESSIONS) throw new Error(`expected ${LIST_USER_SESSIONS} sessions listed, got ${listed.sessions.length}`);
  try {
    await runLoad('listing warm-up', { ...options, duration: 2 }, server);
    const small: LoadFigures[] = [];
    for (let round = 1; round <= ROUNDS; round += 1) small.push(await runLoad(`listing, ${store.smallStore} stored, round ${round}`, options, server));
    const fillStarted = Date.now();
    const large = await store.fill();
    log(`inserted up to ${large} sessions in ${((Date.now() - fillStarted) / 1000).toFixed(1)} s`);
    await runLoad('listing warm-up (large)', { ...options, duration: 2 }, server);
    const big: LoadFigures[] = [];
    for (let round = 1; round <= ROUNDS; round += 1) big.push(await runLoad(`listing, ${large} stored, round ${round}`, options, server));
    return { small: { stored: store.smallStore, ...medians(small) }, large: { stored: large, ...medians(big) } };
  } finally {
    await store.close();
  }
}

function machine() {
  const cpu = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown';
  return { nproc: availableParallelism(), cpu, node: process.version, loadAverage: loadavg().map((value) => value.toFixed(2)).join(' ') };
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const fixed = (value: number, digits = 0) => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

function report(results: {
  machine: ReturnType<typeof machine>;
  web: ReturnType<typeof measureWebSizes>;
  costs: CommandCost[];
  me: Awaited<ReturnType<typeof benchMe>>;
  singleConnection: Awaited<ReturnType<typeof benchMeSingleConnection>>;
  login: Awaited<ReturnType<typeof benchLogin>>;
  listing: Awaited<ReturnType<typeof benchListing>>;
  seconds: number;
}): string {
  const lines: string[] = [];
  const { machine: m } = results;
  lines.push(`Machine: nproc ${m.nproc}, CPU "${m.cpu}", Node ${m.node}, load average at start ${m.loadAverage}; ${pinningNote()}.`);
  lines.push(`Rounds: ${ROUNDS} interleaved, ${ME_SECONDS} s each at ${CONNECTIONS} connections (after a ${WARM_UP_SECONDS} s warm-up per server); medians. Total ${fixed(results.seconds)} s.`, '');

  const baseline = results.me.get(BASELINE);
  lines.push(
    '| GET /api/auth/me (valid session) | req/s | p50 ms | p99 ms | req/s vs baseline | p99 vs baseline | server CPU µs/request | non-2xx | errors |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const [name, figures] of results.me) {
    const ratio = baseline ? figures.reqPerSec / baseline.reqPerSec : NaN;
    const p99Ratio = baseline ? figures.p99 / baseline.p99 : NaN;
    lines.push(
      `| ${name} | ${fixed(figures.reqPerSec)} | ${figures.p50} | ${figures.p99} | ${fixed(ratio, 2)}× | ${fixed(p99Ratio, 2)}× | ${fixed(figures.cpuMicrosPerRequest)} | ${figures.non2xx} | ${figures.errors} |`,
    );
  }
  lines.push('', 'Per round (req/s): ' + [...results.me].map(([name, figures]) => `${name} ${figures.rounds.map((run) => fixed(run.reqPerSec)).join(' / ')}`).join('; '), '');

  const singleBaseline = results.singleConnection.get(BASELINE);
  lines.push(`| GET /api/auth/me, one request at a time (${SINGLE_CONNECTION_SECONDS} s rounds, medians) | requests | p50 ms | p99 ms | p99 vs baseline |`, '|---|---:|---:|---:|---:|');
  for (const [name, figures] of results.singleConnection) {
    const ratio = singleBaseline ? figures.p99 / singleBaseline.p99 : NaN;
    lines.push(`| ${name} | ${fixed(figures.requests)} | ${figures.p50.toFixed(2)} | ${figures.p99.toFixed(2)} | ${fixed(ratio, 2)}× |`);
  }
  lines.push('');

  lines.push('| Database commands per request (driver command monitoring) | reads | writes | commands |', '|---|---:|---:|---|');
  for (const cost of results.costs) lines.push(`| ${cost.request} | ${+cost.readsPerRequest.toFixed(2)} | ${+cost.writesPerRequest.toFixed(2)} | ${cost.commands} |`);
  lines.push('');

  const hashing = PRODUCTION_HASHING_COST;
  lines.push(
    `Login (POST /api/auth/login, correct password, ${results.login.connections} connections, argon2id m=${hashing.memoryCost} KiB t=${hashing.timeCost} p=${hashing.parallelism}): ` +
      `${fixed(results.login.reqPerSec, 1)} req/s, p50 ${results.login.p50} ms, p99 ${results.login.p99} ms, server CPU ${fixed(results.login.cpuMicrosPerRequest / 1000, 1)} ms/login, non-2xx ${results.login.non2xx}.`,
    '',
  );

  const { small, large } = results.listing;
  lines.push(`| GET /api/sessions (user with ${LIST_USER_SESSIONS} sessions, 10 connections) | stored sessions | req/s | p50 ms | p99 ms | server CPU µs/request |`, '|---|---:|---:|---:|---:|---:|');
  lines.push(`| small store | ${small.stored} | ${fixed(small.reqPerSec)} | ${small.p50} | ${small.p99} | ${fixed(small.cpuMicrosPerRequest)} |`);
  lines.push(`| large store | ${large.stored} | ${fixed(large.reqPerSec)} | ${large.p50} | ${large.p99} | ${fixed(large.cpuMicrosPerRequest)} |`, '');

  if (results.web) {
    lines.push(`Web (gzip -9 of the JS + CSS fetched, ${results.web.distDir}):`, '');
    lines.push('| route | files | gzip |', '|---|---|---:|');
    for (const route of results.web.routes) lines.push(`| ${route.route} | ${route.assets.map((asset) => `${asset.file.replace('assets/', '')} ${kib(asset.gzipBytes)}`).join(', ')} | ${kib(route.gzipBytes)} |`);
    lines.push(`| admin chunk (extra, admins only) | ${results.web.admin.map((asset) => `${asset.file.replace('assets/', '')} ${kib(asset.gzipBytes)}`).join(', ')} | ${kib(totalGzipBytes(results.web.admin))} |`);
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
  const embedded = await startGatehouse('Gatehouse, engine in the API process (as npm start)', 'in-process');
  const separate = await startGatehouse('Gatehouse, engine in its own process', 'separate');
  const stockStore = await startBaseline('express-session + stock connect-mongo, engine in process', 'connect-mongo');
  const baseline = await startBaseline(BASELINE, 'memory');
  const servers = [embedded, separate, stockStore, baseline];
  try {
    const cookies = new Map<string, string>();
    for (const server of servers) cookies.set(server.name, await signedInCookie(server, `me-${randomUUID().slice(0, 8)}@example.com`));
    const me = await benchMe(servers, cookies);
    const singleConnection = await benchMeSingleConnection([embedded, baseline], cookies);
    for (const server of [separate, stockStore, baseline]) await stopServer(server);
    log('login');
    const login = await benchLogin(embedded);
    log('sessions listing');
    const listing = await benchListing(embedded);
    process.stdout.write(`${report({ machine: info, web, costs, me, singleConnection, login, listing, seconds: (Date.now() - started) / 1000 })}\n`);
    process.stdout.write(`S18 sign-in timing within 10 %: ${loginTimingOk ? 'yes' : 'NO'} (figures in the log line above)\n`);
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


/**
 * One Gatehouse instance as its own process, as the sizing and store-growth benchmarks run it: as
 * deployed (NODE_ENV=production behind a TLS proxy, logs at info to a file), pinned to the server core,
 * with the embedded engine inside the process unless `mongodbUri` names a shared one.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import mongoose from 'mongoose';
import { EMBEDDED_MONGO_FILE } from '../src/config';
import { firstLine, ENGINE_CLI, freePort, REPO_ROOT, SERVER_CORE, spawnNode, stop, waitUntil } from './processes';

export const BENCH_PASSWORD = 'correct horse battery staple';
export const FORWARDED = { 'X-Forwarded-Proto': 'https' };

export interface Secrets {
  session: string;
  totp: string;
}

export function newSecrets(): Secrets {
  return { session: randomBytes(32).toString('base64url'), totp: randomBytes(32).toString('base64') };
}

export interface GatehouseProcess {
  name: string;
  baseUrl: string;
  process: ChildProcess;
  dataDir: string;
  logFile: string;
  secrets: Secrets;
}

export interface GatehouseProcessOptions {
  /** A directory of the benchmark's own, for this instance's data and log. */
  workDir: string;
  sessionCache?: 'off' | 'coherent';
  /** A database shared with other instances; default: the embedded engine inside the process. */
  mongodbUri?: string;
  secrets?: Secrets;
  /** Node flags (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /** Settings on top of the production ones. */
  env?: Record<string, string>;
}

const slug = (name: string) => name.replaceAll(/[^A-Za-z0-9]+/g, '-');

export async function startGatehouseProcess(
  name: string,
  { workDir, sessionCache = 'off', mongodbUri = '', secrets = newSecrets(), nodeArgs = [], env = {} }: GatehouseProcessOptions,
): Promise<GatehouseProcess> {
  const dataDir = join(workDir, slug(name));
  const logFile = join(workDir, `${slug(name)}.log`);
  const port = await freePort();
  const child = spawnNode(SERVER_CORE, [...nodeArgs, 'src/server.ts'], {
    env: {
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      SESSION_SECRETS: secrets.session,
      TOTP_ENCRYPTION_KEYS: secrets.totp,
      SESSION_CACHE: sessionCache,
      TRUST_PROXY: 'loopback',
      LOG_LEVEL: 'info',
      // No look-ups in the public breach corpus from a benchmark: sign-ins measure the password hashing.
      PWNED_PASSWORDS: 'off',
      ...(mongodbUri ? { MONGODB_URI: mongodbUri } : { EMBEDDED_MONGO: 'allow' }),
      ...env,
    },
    logFile,
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitUntil(async () => (await fetch(`${baseUrl}/api/ready`)).status === 200, `${name} readiness`);
  return { name, baseUrl, process: child, dataDir, logFile, secrets };
}

/** The embedded engine as its own process on the server core, for instances that share it. */
export async function startSharedEngine(dbPath: string): Promise<{ uri: string; process: ChildProcess }> {
  const engine = spawnNode(SERVER_CORE, [ENGINE_CLI, '--port', '0', '--dbpath', dbPath], { cwd: REPO_ROOT });
  return { uri: `${(JSON.parse(await firstLine(engine)) as { uri: string }).uri}gatehouse`, process: engine };
}

export const stopGatehouseProcess = (server: GatehouseProcess): Promise<void> => stop(server.process);

/** A connection to the engine inside an instance (for seeding), found as `npm run user:role` finds it. */
export async function connectToEmbedded(server: GatehouseProcess): Promise<mongoose.Connection> {
  const { uri } = JSON.parse(readFileSync(join(server.dataDir, EMBEDDED_MONGO_FILE), 'utf8')) as { uri: string };
  return mongoose.createConnection(uri, { dbName: 'gatehouse' }).asPromise();
}

/**
 * fetch, once more if the connection failed before any answer: on a busy machine a kept-alive socket
 * the server has just closed is sometimes reused (undici: "fetch failed").
 */
export async function send(url: string, init: RequestInit = {}): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    return fetch(url, init);
  }
}

export function post(baseUrl: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return send(`${baseUrl}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...FORWARDED, ...headers }, body: JSON.stringify(body) });
}

export function sessionCookieOf(res: Response): string {
  const cookie = res.headers.getSetCookie().find((value) => /^(__Host-)?gh\.sid=s%3A/.test(value));
  if (!cookie) throw new Error(`no session cookie (${res.status})`);
  return cookie.split(';')[0] ?? '';
}

export async function register(baseUrl: string, email: string, name = 'Bench'): Promise<void> {
  const registered = await post(baseUrl, '/api/auth/register', { name, email, password: BENCH_PASSWORD });
  if (registered.status !== 202) throw new Error(`registration: ${registered.status} ${await registered.text()}`);
}

export async function signIn(baseUrl: string, email: string): Promise<string> {
  const signedIn = await post(baseUrl, '/api/auth/login', { email, password: BENCH_PASSWORD });
  if (signedIn.status !== 200) throw new Error(`sign-in: ${signedIn.status} ${await signedIn.text()}`);
  return sessionCookieOf(signedIn);
}

export async function getJson<T>(baseUrl: string, path: string, cookie: string): Promise<T> {
  const res = await send(`${baseUrl}${path}`, { headers: { Cookie: cookie, ...FORWARDED } });
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

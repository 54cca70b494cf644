import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const API_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const ENGINE_CLI = join(REPO_ROOT, 'packages/embedded-mongo/src/cli.ts');

/**
 * The test kit's process harness: the API and the embedded engine as their own processes, the way a
 * deployment runs them. Every child started and not yet exited is tracked: `killAll` in afterAll
 * guarantees no orphans.
 */
const running = new Set<ChildProcess>();

// Last resort if a worker dies mid-test: afterAll cannot run, but the children must not outlive it.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
}

function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Sends the signal unless the child is already gone, and resolves with its exit code (null if killed by a signal). */
export function signal(child: ChildProcess, name: NodeJS.Signals): Promise<number | null> {
  const exited = exitOf(child);
  if (child.exitCode === null && child.signalCode === null) child.kill(name);
  return exited;
}

export async function killAll(): Promise<void> {
  await Promise.all([...running].map((child) => signal(child, 'SIGKILL')));
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `gatehouse-${prefix}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A port nothing listens on right now (for a database that is to come up later). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface EngineProcess {
  /** `mongodb://127.0.0.1:<port>/` */
  uri: string;
  port: number;
  dbPath: string | undefined;
  process: ChildProcess;
  /** The URI of one database on this engine. */
  database(name: string): string;
  stop(name?: NodeJS.Signals): Promise<number | null>;
}

/** The embedded engine as its own process (`cli.ts`), so a test can kill and restart it under a running API. */
export function startEngine({ dbPath, port = 0, ttlIntervalMs }: { dbPath?: string; port?: number; ttlIntervalMs?: number } = {}): Promise<EngineProcess> {
  const args = ['--import', 'tsx', ENGINE_CLI, '--port', String(port)];
  if (dbPath) args.push('--dbpath', dbPath);
  if (ttlIntervalMs) args.push('--ttl-interval-ms', String(ttlIntervalMs));
  const child = spawn(process.execPath, args, { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  track(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`engine did not start within 20 s:\n${stderr}`));
    }, 20_000);
    void exitOf(child).then((code) => {
      clearTimeout(timer);
      reject(new Error(`engine exited with ${code} before listening:\n${stderr}`));
    });
    if (!child.stdout) throw new Error('engine has no stdout pipe');
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      const { uri, port: listeningPort } = JSON.parse(line) as { uri: string; port: number };
      resolve({
        uri,
        port: listeningPort,
        dbPath,
        process: child,
        database: (name) => `${uri}${name}`,
        stop: (name = 'SIGTERM') => signal(child, name),
      });
    });
  });
}

export interface SpawnedApi {
  baseUrl: string;
  port: number;
  process: ChildProcess;
  /** Raw stdout and stderr so far (JSON log lines). */
  output(): string;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/**
 * Runs `tsx src/server.ts` as its own process on a free port, the way a deployment would, and resolves
 * once it logged "ready" (connected and serving the real app), or only listening if asked.
 */
export function startApi(
  env: Record<string, string>,
  { timeoutMs = 30_000, waitFor = 'ready' }: { timeoutMs?: number; waitFor?: 'ready' | 'listening' } = {},
): Promise<SpawnedApi> {
  // A data directory of its own (dev outbox, generated secret) unless the test gives one: never the repo's .data.
  const ownDataDir = env.DATA_DIR === undefined ? tempDir('api-data') : null;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: API_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      // Never the public range API from a test; a test that wants look-ups passes its own range server.
      PWNED_PASSWORDS: 'off',
      // The reliability figures (R1–R9) are strict mode's: every request reads its session. A test of the
      // default (auto) or of the coherent cache says so in its own env.
      SESSION_CACHE: 'off',
      ...(ownDataDir ? { DATA_DIR: ownDataDir } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  track(child);
  if (ownDataDir) child.once('exit', () => removeDir(ownDataDir));
  let output = '';
  let port: number | undefined;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`API did not become ready within ${timeoutMs} ms:\n${output}`));
    }, timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`API exited with ${code} before it was ready:\n${output}`));
    });
    if (!child.stdout) throw new Error('spawned API has no stdout pipe');
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      output += `${line}\n`;
      let entry: { msg?: string; port?: number };
      try {
        entry = JSON.parse(line) as typeof entry;
      } catch {
        return;
      }
      if (typeof entry.port === 'number') port = entry.port;
      const isAwaited = waitFor === 'ready' ? entry.msg === 'ready' : typeof entry.port === 'number';
      if (isAwaited && port !== undefined) {
        clearTimeout(timer);
        const readyPort = port;
        resolve({
          baseUrl: `http://127.0.0.1:${readyPort}`,
          port: readyPort,
          process: child,
          output: () => output,
          exited,
          stop(signal = 'SIGTERM') {
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    });
  });
}

export function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { spawnApi } from '../../test/spawn-api';
import type { SpawnedApi } from '../../test/spawn-api';

const REPO_ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));
const ENGINE_CLI = join(REPO_ROOT, 'packages/embedded-mongo/src/cli.ts');

/** Every child this file started and has not seen exit: `killAll` in afterAll guarantees no orphans. */
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

/** `tsx src/server.ts` as its own process (see test/spawn-api.ts), tracked for cleanup. */
export async function startApi(env: Record<string, string>, options: Parameters<typeof spawnApi>[1] = {}): Promise<SpawnedApi> {
  const api = await spawnApi({ LOG_LEVEL: 'info', ...env }, options);
  track(api.process);
  return api;
}

export function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const API_ROOT = fileURLToPath(new URL('..', import.meta.url));
export const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

export const SERVER_CORE = 0;
export const LOAD_CORE = 1;

const hasTaskset = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

export function pinningNote(): string {
  return hasTaskset ? `taskset: server processes on core ${SERVER_CORE}, load generator on core ${LOAD_CORE}` : 'taskset unavailable: processes not pinned';
}

const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** `node --import tsx <args>` as its own process, on one core when taskset exists. */
export function spawnNode(
  core: number,
  args: string[],
  options: { env?: Record<string, string>; logFile?: string; cwd?: string; stdin?: 'pipe' } = {},
): ChildProcess {
  const nodeArgs = ['--import', 'tsx', ...args];
  const [command, commandArgs] = hasTaskset ? ['taskset', ['-c', String(core), process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  const stdout = options.logFile ? openSync(options.logFile, 'a') : 'pipe';
  const child = spawn(command, commandArgs as string[], {
    cwd: options.cwd ?? API_ROOT,
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: [options.stdin ?? 'ignore', stdout, options.logFile ? openSync(options.logFile, 'a') : 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

export function firstLine(child: ChildProcess, timeoutMs = 30_000): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!child.stdout) return reject(new Error('child has no stdout pipe'));
    const timer = setTimeout(() => reject(new Error('no output in time')), timeoutMs);
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`exited with ${code} before printing anything`)));
  });
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export async function waitUntil(probe: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export const ENGINE_CLI = join(REPO_ROOT, 'packages/embedded-mongo/src/cli.ts');

import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const API_ROOT = fileURLToPath(new URL('../..', import.meta.url));

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
export function spawnApi(
  env: Record<string, string>,
  { timeoutMs = 30_000, waitFor = 'ready' }: { timeoutMs?: number; waitFor?: 'ready' | 'listening' } = {},
): Promise<SpawnedApi> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: API_ROOT,
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
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

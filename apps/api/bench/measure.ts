/**
 * What every benchmark in this folder measures the same way: autocannon runs in its own process on the
 * load core, server CPU per request from /proc, medians of interleaved rounds.
 */
import { readFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import type autocannon from 'autocannon';
import { firstLine, LOAD_CORE, spawnNode, stop } from './processes';

export interface LoadFigures {
  label: string;
  reqPerSec: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** Server-side CPU (user + system, every process of the server) per request: steadier than req/s on a shared machine. */
  cpuMicrosPerRequest: number;
}

const started = Date.now();

export function log(message: string): void {
  process.stderr.write(`[bench ${((Date.now() - started) / 1000).toFixed(0).padStart(3)} s] ${message}\n`);
}

/** utime + stime of a process in seconds (Linux /proc). */
export function cpuSeconds(child: ChildProcess): number {
  try {
    const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Runs autocannon in its own process against `options.url`; `processes` are the server's, whose CPU is counted. */
export async function runLoad(label: string, options: autocannon.Options, processes: ChildProcess[] = []): Promise<LoadFigures> {
  const serverCpu = () => (processes.length > 0 ? processes.reduce((sum, child) => sum + cpuSeconds(child), 0) : NaN);
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
      (processes.length > 0 ? `, server CPU ${figures.cpuMicrosPerRequest.toFixed(0)} µs/request` : ''),
  );
  return figures;
}

export const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? NaN) : ((sorted[middle - 1] ?? NaN) + (sorted[middle] ?? NaN)) / 2;
};

export function medians(runs: LoadFigures[]) {
  return {
    reqPerSec: median(runs.map((run) => run.reqPerSec)),
    p50: median(runs.map((run) => run.p50)),
    p99: median(runs.map((run) => run.p99)),
    non2xx: runs.reduce((sum, run) => sum + run.non2xx, 0),
    errors: runs.reduce((sum, run) => sum + run.errors, 0),
    cpuMicrosPerRequest: median(runs.map((run) => run.cpuMicrosPerRequest)),
  };
}

export const fixed = (value: number, digits = 0): string => (Number.isFinite(value) ? value.toFixed(digits) : 'n/a');

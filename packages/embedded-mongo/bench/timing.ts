/** How both engine benchmarks time a batch of operations: latency percentiles and throughput of one round, and the summary of several. */

export interface Round {
  opsPerSec: number;
  p50: number;
  p99: number;
}

export const pct = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? 0;

function round(latencies: number[], n: number, wallMs: number): Round {
  latencies.sort((a, b) => a - b);
  return { opsPerSec: (n / wallMs) * 1000, p50: pct(latencies, 50), p99: pct(latencies, 99) };
}

/** `n` operations one after the other. */
export async function timeSequential(n: number, fn: (i: number) => Promise<unknown>): Promise<Round> {
  const latencies: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    await fn(i);
    latencies.push(performance.now() - s);
  }
  return round(latencies, n, performance.now() - t0);
}

/** `n` operations, `concurrency` of them in flight at a time. */
export async function timeConcurrent(n: number, concurrency: number, fn: (i: number) => Promise<unknown>): Promise<Round> {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        const s = performance.now();
        await fn(i);
        latencies.push(performance.now() - s);
      }
    }),
  );
  return round(latencies, n, performance.now() - t0);
}

/** Several rounds of one row: the median round's p50, the median p99, the best throughput (the least disturbed round on a shared machine). */
export function summarize(rounds: Round[]): Round {
  const byP50 = [...rounds].sort((a, b) => a.p50 - b.p50);
  const mid = byP50[Math.floor(rounds.length / 2)] as Round;
  const p99s = rounds.map((r) => r.p99).sort((a, b) => a - b);
  return { p50: mid.p50, p99: p99s[Math.floor(rounds.length / 2)] ?? mid.p99, opsPerSec: Math.max(...rounds.map((r) => r.opsPerSec)) };
}

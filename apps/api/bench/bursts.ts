/**
 * A load generator that stays up between runs (no start-up per run): reads one JSON line of autocannon
 * options per run from stdin and prints one JSON line `{requests, duration, non2xx, errors, p50, p99}`.
 */
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';

for await (const line of createInterface({ input: process.stdin })) {
  if (!line.trim()) continue;
  const result = await autocannon(JSON.parse(line) as autocannon.Options);
  const { requests, duration, non2xx, errors, latency } = result;
  process.stdout.write(`${JSON.stringify({ requests: requests.total, duration, non2xx, errors, p50: latency.p50, p99: latency.p99 })}\n`);
}

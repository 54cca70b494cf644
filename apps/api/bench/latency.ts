/**
 * Latency of one request at a time over one keep-alive connection, with sub-millisecond precision
 * (autocannon rounds to whole milliseconds). `tsx bench/latency.ts '{"url":…,"headers":…,"seconds":5}'`
 * prints `{"requests":…,"p50":…,"p99":…}` (milliseconds).
 */
import { Agent, request } from 'node:http';

const { url, headers, seconds } = JSON.parse(process.argv[2] ?? '{}') as { url: string; headers: Record<string, string>; seconds: number };
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function once(): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`status ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

const latencies: number[] = [];
const deadline = performance.now() + seconds * 1000;
while (performance.now() < deadline) latencies.push(await once());
agent.destroy();
latencies.sort((a, b) => a - b);
const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)] ?? NaN;
process.stdout.write(`${JSON.stringify({ requests: latencies.length, p50: at(0.5), p99: at(0.99) })}\n`);

/**
 * Latency of one request at a time over one keep-alive connection, counted in requests rather than
 * seconds (for requests that may take long): `tsx bench/sample-latency.ts '{"url":…,"headers":…,
 * "requests":200,"maxSeconds":30,"warmUp":10}'` prints `{"requests":…,"p50":…,"p99":…,"max":…}`
 * (milliseconds). Stops early at maxSeconds; any status but 200 is an error.
 */
import { Agent, request } from 'node:http';

interface Options {
  url: string;
  headers: Record<string, string>;
  requests: number;
  maxSeconds: number;
  warmUp: number;
}

const { url, headers, requests, maxSeconds, warmUp } = JSON.parse(process.argv[2] ?? '{}') as Options;
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function once(): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, headers }, (res) => {
      res.resume();
      res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`${url}: status ${res.statusCode}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

for (let index = 0; index < warmUp; index += 1) await once();
const latencies: number[] = [];
const deadline = performance.now() + maxSeconds * 1000;
while (latencies.length < requests && performance.now() < deadline) latencies.push(await once());
agent.destroy();
latencies.sort((a, b) => a - b);
const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)] ?? NaN;
process.stdout.write(`${JSON.stringify({ requests: latencies.length, p50: at(0.5), p99: at(0.99), max: latencies.at(-1) ?? NaN })}\n`);

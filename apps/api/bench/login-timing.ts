import { mkdtempSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';
import { createApp } from '../src/app';
import { loadConfig } from '../src/config';
import { connectDatabase } from '../src/db/connection';
import { createLogger } from '../src/http/logging';
import { RELAXED_THROTTLE_LIMITS } from '../src/test/test-config';

const SAMPLES = Number(process.env.SAMPLES ?? 60);
/** ASVS/AU: an unknown account and a wrong password must not be told apart by timing (S18). */
const MAX_RELATIVE_DIFFERENCE = 0.1;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

/**
 * S18, strictly: median sign-in time for an unknown email vs a wrong password on a real account, with
 * the production argon2 cost, over HTTP on loopback. Too noisy for a unit test on shared CI.
 */
export async function runLoginTiming(mongoUri: string): Promise<boolean> {
  const config = {
    ...loadConfig({
      NODE_ENV: 'test',
      PWNED_PASSWORDS: 'off',
      PORT: '0',
      SESSION_SECRETS: 'bench-secret-0123456789-abcdefghijklmnop',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'gatehouse-bench-')),
      LOG_LEVEL: 'silent',
    }),
    throttle: RELAXED_THROTTLE_LIMITS,
  };
  const dbName = `gh_bench_${randomUUID().slice(0, 8)}`;
  const connection = await connectDatabase({ uri: mongoUri, dbName, timeoutMs: 2000 });
  const { app, services } = createApp({ config, connection, logger: createLogger({ level: 'silent' }) });
  await services.ensureIndexes();
  const server = createServer(app).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const post = (path: string, body: unknown) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  try {
    const email = 'timing@example.com';
    await post('/api/auth/register', { name: 'Timing', email, password: 'correct horse battery staple' });
    const timings = { wrongPassword: [] as number[], unknownAccount: [] as number[] };
    for (let i = 0; i < 4; i += 1) await post('/api/auth/login', { email: 'warmup@example.com', password: 'warm up the dummy hash' });
    for (let i = 0; i < SAMPLES; i += 1) {
      const order = i % 2 === 0 ? (['wrongPassword', 'unknownAccount'] as const) : (['unknownAccount', 'wrongPassword'] as const);
      for (const kind of order) {
        const started = performance.now();
        const res = await post('/api/auth/login', { email: kind === 'wrongPassword' ? email : `nobody-${i}@example.com`, password: 'not the password' });
        await res.arrayBuffer();
        timings[kind].push(performance.now() - started);
      }
    }
    const wrong = median(timings.wrongPassword);
    const unknown = median(timings.unknownAccount);
    const difference = Math.abs(wrong - unknown) / Math.max(wrong, unknown);
    const ok = difference <= MAX_RELATIVE_DIFFERENCE;
    console.log(
      `S18 login timing (${SAMPLES} samples each, argon2id m=${config.passwordHashing.memoryCost} t=${config.passwordHashing.timeCost}): ` +
        `wrong password median ${wrong.toFixed(1)} ms, unknown account median ${unknown.toFixed(1)} ms, ` +
        `difference ${(difference * 100).toFixed(1)}% (limit ${MAX_RELATIVE_DIFFERENCE * 100}%) ${ok ? 'OK' : 'FAIL'}`,
    );
    return ok;
  } finally {
    server.close();
    // The app's change feed before the connection (AppServices.close): left open, it would keep
    // retrying against a closed connection for as long as the benchmark runs.
    await services.close();
    await connection.dropDatabase();
    await connection.close();
  }
}

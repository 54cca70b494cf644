/**
 * What binding a session to its device costs an authenticated request: `GET /api/auth/me` of a bound
 * session (its bound cookie checked with one HMAC, no database work) against an unbound one, on one
 * Gatehouse server (strict reads), interleaved rounds at 50 connections.
 *
 *   npx tsx bench/device-binding.ts [--quick]      (npm run bench runs it too)
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { Request } from 'express';
import { createBoundCookie } from '../src/device-binding/bound-cookie';
import { fixed, medians, runLoad } from './measure';
import type { LoadFigures } from './measure';
import { BENCH_PASSWORD, FORWARDED, post, register, sessionCookieOf, startGatehouseProcess, stopGatehouseProcess } from './gatehouse-process';
import { isEntryPoint, runAlone } from './section';
import type { BenchSection } from './section';

export interface DeviceBindingFigures {
  unbound: ReturnType<typeof medians>;
  bound: ReturnType<typeof medians>;
  /** The check a bound session's request adds (parse the cookie header, one HMAC), in-process. */
  checkMicros: number;
}

/** µs per bound-cookie check, in this process: steady where the load figures move with the machine's other work. */
function measureCheck(iterations: number): number {
  const boundCookie = createBoundCookie({
    sessionSecrets: [randomBytes(32).toString('hex')],
    isProduction: true,
    deviceBinding: { isOffered: true, cookieName: '__Secure-gh.bound', cookieSeconds: 600 },
  });
  let header = '';
  boundCookie.issue({ cookie: (name: string, value: string) => (header = `__Host-gh.sid=s%3Aabc.def; ${name}=${value}`) } as never, 'binding-id');
  const req = { headers: { cookie: header } } as Request;
  for (let warm = 0; warm < 10_000; warm += 1) boundCookie.isValid(req, 'binding-id');
  const started = process.hrtime.bigint();
  for (let check = 0; check < iterations; check += 1) if (!boundCookie.isValid(req, 'binding-id')) throw new Error('the bound cookie did not verify');
  return Number(process.hrtime.bigint() - started) / 1000 / iterations;
}

const cookiePair = (setCookie: string[], name: RegExp): string => {
  const found = setCookie.find((value) => name.test(value));
  if (!found) throw new Error(`no cookie matching ${String(name)}`);
  return found.split(';')[0] ?? '';
};

/** A new account signed in; with `bind`, its session registered with a device key as a DBSC browser does. */
export async function signedIn(baseUrl: string, bind: boolean): Promise<string> {
  const email = `bound-${randomUUID().slice(0, 8)}@example.com`;
  await register(baseUrl, email);
  const login = await post(baseUrl, '/api/auth/login', { email, password: BENCH_PASSWORD });
  if (login.status !== 200) throw new Error(`sign-in: ${login.status}`);
  const session = sessionCookieOf(login);
  if (!bind) return session;
  const offer = /path="([^"]+)";challenge="([^"]+)"/.exec(login.headers.get('secure-session-registration') ?? '');
  if (!offer) throw new Error('the sign-in offered no device binding');
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const proof = await new SignJWT({ jti: offer[2] }).setProtectedHeader({ alg: 'ES256', typ: 'dbsc+jwt', jwk: await exportJWK(publicKey) }).sign(privateKey);
  const registration = await fetch(`${baseUrl}${offer[1]}`, {
    method: 'POST',
    headers: { Cookie: session, 'Secure-Session-Response': proof, ...FORWARDED },
  });
  if (registration.status !== 200) throw new Error(`device registration: ${registration.status}`);
  return `${session}; ${cookiePair(registration.headers.getSetCookie(), /^__Secure-gh\.bound=/)}`;
}

export async function benchDeviceBinding({ quick }: { quick: boolean }): Promise<DeviceBindingFigures> {
  const work = mkdtempSync(join(tmpdir(), 'gatehouse-bench-binding-'));
  const server = await startGatehouseProcess('binding', { workDir: work, sessionCache: 'off' });
  const { baseUrl } = server;
  const api = server.process;
  try {
    const cookies = { unbound: await signedIn(baseUrl, false), bound: await signedIn(baseUrl, true) };
    const seconds = quick ? 3 : 10;
    const load = (cookie: string, duration: number) => ({
      url: `${baseUrl}/api/auth/me`,
      connections: 50,
      duration,
      headers: { Cookie: cookie, ...FORWARDED },
    });
    await runLoad('binding warm-up', load(cookies.unbound, quick ? 2 : 5), [api]);
    const runs: Record<'unbound' | 'bound', LoadFigures[]> = { unbound: [], bound: [] };
    for (let round = 1; round <= (quick ? 1 : 3); round += 1) {
      for (const kind of ['unbound', 'bound'] as const) runs[kind].push(await runLoad(`round ${round} ${kind} session`, load(cookies[kind], seconds), [api]));
    }
    const figures = { unbound: medians(runs.unbound), bound: medians(runs.bound), checkMicros: measureCheck(quick ? 20_000 : 200_000) };
    if (figures.bound.non2xx + figures.unbound.non2xx > 0) throw new Error('non-2xx answers: the bound cookie was not accepted');
    return figures;
  } finally {
    await stopGatehouseProcess(server);
    rmSync(work, { recursive: true, force: true });
  }
}

export function deviceBindingReport({ unbound, bound, checkMicros }: DeviceBindingFigures): string {
  return [
    '### Device-bound sessions: an authenticated GET, bound against unbound (strict, c=50)',
    '',
    '| session | req/s | p50 ms | p99 ms | server CPU µs/request |',
    '|---|---:|---:|---:|---:|',
    `| unbound | ${fixed(unbound.reqPerSec)} | ${fixed(unbound.p50)} | ${fixed(unbound.p99)} | ${fixed(unbound.cpuMicrosPerRequest)} |`,
    `| bound (bound cookie checked) | ${fixed(bound.reqPerSec)} | ${fixed(bound.p50)} | ${fixed(bound.p99)} | ${fixed(bound.cpuMicrosPerRequest)} |`,
    '',
    `The bound-cookie check itself: ${fixed(checkMicros, 2)} µs per request (in-process, cookie parse and one HMAC-SHA256). Bound against unbound under load: ${fixed(bound.cpuMicrosPerRequest - unbound.cpuMicrosPerRequest)} µs of server CPU per request, ${fixed((bound.reqPerSec / unbound.reqPerSec) * 100)} % of the unbound throughput; the database work is the same (1 read, 0 writes: device-binding.test.ts).`,
  ].join('\n');
}

export const deviceBinding: BenchSection = {
  name: 'device-bound sessions: a bound GET against an unbound one',
  run: async ({ quick }) => deviceBindingReport(await benchDeviceBinding({ quick })),
};

if (isEntryPoint(import.meta.url)) runAlone(deviceBinding);

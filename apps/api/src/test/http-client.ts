import { Agent, request } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { cookieHeader, issuedCookie, SESSION_COOKIE } from './cookies';

export interface HttpResult {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** Wall time from sending to the last byte. */
  ms: number;
}

export interface RequestOptions {
  method?: string;
  cookie?: string;
  json?: unknown;
  headers?: Record<string, string>;
  agent?: Agent;
  timeoutMs?: number;
}

/** Keep-alive, like a browser or a load balancer; each test file makes its own. */
export function keepAliveAgent(maxSockets = 16): Agent {
  return new Agent({ keepAlive: true, maxSockets });
}

/** The test kit's raw client, for load and process tests. A plain node:http request: raw status, headers (Set-Cookie as sent) and body, nothing retried. */
export function httpRequest(baseUrl: string, path: string, options: RequestOptions = {}): Promise<HttpResult> {
  const { method = 'GET', cookie, json, headers = {}, agent, timeoutMs = 15_000 } = options;
  const body = json === undefined ? undefined : JSON.stringify(json);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, baseUrl),
      {
        method,
        agent,
        timeout: timeoutMs,
        headers: {
          ...(cookie ? { Cookie: cookie } : {}),
          ...(body === undefined ? {} : { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) }),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

export function parseJson<T>(res: HttpResult): T {
  return JSON.parse(res.body) as T;
}

export function errorCode(res: HttpResult): string | undefined {
  try {
    return parseJson<{ error?: { code?: string } }>(res).error?.code;
  } catch {
    return undefined;
  }
}

/** The `gh.sid=<value>` pair a browser would send back, from a response that issued the session cookie. */
export function sessionCookie(res: HttpResult, name = SESSION_COOKIE): string {
  return cookieHeader(issuedCookie(res, name));
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  { timeoutMs, intervalMs = 100, what }: { timeoutMs: number; intervalMs?: number; what: string },
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Status of GET /api/auth/me for each cookie, in order. */
export function meStatuses(baseUrl: string, cookies: readonly string[], agent?: Agent): Promise<number[]> {
  return Promise.all(cookies.map(async (cookie) => (await httpRequest(baseUrl, '/api/auth/me', { cookie, agent })).status));
}

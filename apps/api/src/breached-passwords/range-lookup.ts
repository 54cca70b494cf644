import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { BreachedPasswordsConfig } from '../config';

/** Length of the hash prefix that leaves the process: 5 hex digits, 16^5 buckets (k-anonymity, S48). */
export const RANGE_PREFIX_LENGTH = 5;

/** A range answer larger than this is not the range API's (a real one is some tens of KiB with padding). */
const MAX_RANGE_ANSWER_BYTES = 1024 * 1024;

/** `unknown`: the look-up failed or timed out, and the password is let through (fail open). */
export type BreachVerdict = 'breached' | 'not_found' | 'unknown';

export interface BreachedPasswords {
  /** Never rejects: a failed look-up is `unknown`, logged without the password, its hash or its prefix. */
  check(password: string): Promise<BreachVerdict>;
}

/** The password's SHA-1 in upper-case hex, split where the range API splits it. */
export function rangeKeyOf(password: string): { prefix: string; suffix: string } {
  const hash = createHash('sha1').update(password, 'utf8').digest('hex').toUpperCase();
  return { prefix: hash.slice(0, RANGE_PREFIX_LENGTH), suffix: hash.slice(RANGE_PREFIX_LENGTH) };
}

/**
 * How often `suffix` appears in a range answer (`SUFFIX:COUNT` lines). Padding rows (count 0, added by
 * `Add-Padding: true` so every answer has about the same size) count as absent.
 */
export function breachCountIn(rangeAnswer: string, suffix: string): number {
  for (const line of rangeAnswer.split('\n')) {
    const separator = line.indexOf(':');
    if (separator === -1 || line.slice(0, separator).trim().toUpperCase() !== suffix) continue;
    const count = Number.parseInt(line.slice(separator + 1).trim(), 10);
    return Number.isFinite(count) && count > 0 ? count : 0;
  }
  return 0;
}

/** Why a look-up failed, for the log: the error's kind and its system code, never the URL (it carries the prefix). */
function describeFailure(error: unknown, timeoutMs: number): string {
  if (!(error instanceof Error)) return 'unknown error';
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const cause: unknown = error.cause;
  const code = cause instanceof Error && 'code' in cause && typeof cause.code === 'string' ? ` (${cause.code})` : '';
  return `${error.message}${code}`;
}

/** PWNED_PASSWORDS=off: nothing is looked up, every password passes. */
export const NO_BREACH_LOOKUPS: BreachedPasswords = { check: () => Promise.resolve('not_found') };

/**
 * Breached-password look-ups by k-anonymity against a Pwned Passwords range API: only the first five hex
 * digits of the SHA-1 leave the process, and the answer lists every suffix sharing them, so the service
 * learns neither the password nor whether it was in the list. A slow or failing service never blocks a
 * sign-in or a registration: after `timeoutMs` the password is let through and a line is logged.
 */
export function createBreachedPasswords(config: BreachedPasswordsConfig | null, logger: Logger): BreachedPasswords {
  if (!config) return NO_BREACH_LOOKUPS;
  const { rangeUrl, timeoutMs } = config;

  async function fetchRange(prefix: string): Promise<string> {
    const response = await fetch(`${rangeUrl}${prefix}`, {
      headers: { 'Add-Padding': 'true', Accept: 'text/plain', 'User-Agent': 'Gatehouse breached-password check' },
      redirect: 'error',
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (!response.ok) throw new Error(`range API answered ${response.status}`);
    const declared = Number(response.headers.get('content-length') ?? 0);
    if (declared > MAX_RANGE_ANSWER_BYTES) throw new Error(`range answer of ${declared} bytes is too large`);
    const body = await response.text();
    if (body.length > MAX_RANGE_ANSWER_BYTES) throw new Error('range answer is too large');
    return body;
  }

  return {
    async check(password) {
      const { prefix, suffix } = rangeKeyOf(password);
      const startedAt = performance.now();
      try {
        return breachCountIn(await fetchRange(prefix), suffix) > 0 ? 'breached' : 'not_found';
      } catch (error) {
        const reason = describeFailure(error, timeoutMs);
        logger.warn(
          { breachLookup: 'failed', reason, durationMs: Math.round(performance.now() - startedAt) },
          'breached passwords: range look-up failed, password let through (fail open)',
        );
        return 'unknown';
      }
    },
  };
}

import type { SessionCap, SessionLimitPolicy } from '@gatehouse/types/sessions';
import type { Config } from '../config';
import type { SessionRecord } from './session-record';

export type SessionCapConfig = Partial<Pick<Config, 'maxSessionsPerAccount' | 'sessionLimitPolicy'>>;

/** The cap as clients are told it; `null` when MAX_SESSIONS_PER_ACCOUNT is 0 (no cap). */
export function sessionCapOf(config: SessionCapConfig): SessionCap | null {
  const max = config.maxSessionsPerAccount ?? 0;
  return max > 0 ? { max, policy: config.sessionLimitPolicy ?? 'evict-oldest' } : null;
}

/**
 * A sign-in found the account at its cap under the `refuse` policy. The registry has already taken the
 * new session back; `others` are the account's sessions, for the person to choose one to end.
 */
export class SessionLimitReached extends Error {
  override name = 'SessionLimitReached';
  constructor(
    readonly max: number,
    readonly others: SessionRecord[],
  ) {
    super('the account has as many sessions as it may');
  }
}

export type CapDecision = { kind: 'within' } | { kind: 'refuse'; others: SessionRecord[] } | { kind: 'evict'; evicted: SessionRecord[] };

/**
 * What the cap asks of a session just inserted (`ownSid`), given every live full session of the account
 * as read *after* that insert. Decided after the insert rather than before so that parallel sign-ins
 * cannot each see room for themselves (S46): of any set of racing inserts, the last one to read sees
 * all of them.
 *
 * - `refuse`: over the cap, the new session takes itself back. Racing sign-ins may all refuse (the cap
 *   errs toward fewer sessions), never all stay.
 * - `evict-oldest`: the new session stays with the `max - 1` most recently active others; the rest end.
 *   Ties on activity are broken by id so that racing trims agree on the order as far as they can.
 */
export function decideCap({ max, policy }: { max: number; policy: SessionLimitPolicy }, ownSid: string, live: SessionRecord[]): CapDecision {
  if (max <= 0 || live.length <= max) return { kind: 'within' };
  const others = live
    .filter((record) => record.sid !== ownSid)
    .sort((a, b) => b.lastActiveAt.getTime() - a.lastActiveAt.getTime() || (a.sid < b.sid ? -1 : a.sid > b.sid ? 1 : 0));
  if (policy === 'refuse') return { kind: 'refuse', others };
  const evicted = others.slice(Math.max(0, max - 1));
  return evicted.length > 0 ? { kind: 'evict', evicted } : { kind: 'within' };
}

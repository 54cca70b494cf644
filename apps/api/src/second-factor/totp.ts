import { Secret, TOTP } from 'otpauth';
import { TOTP_DIGITS } from '@gatehouse/types/second-factor';

/** RFC 6238 as every authenticator app reads it from a QR code: SHA-1, 6 digits, 30-second steps. */
const PERIOD_SECONDS = 30;
/** 160 bits, the size RFC 4226 recommends for HMAC-SHA-1. */
const SECRET_BYTES = 20;
/** One step either side: clocks drift and people type slowly; more would only help guessing. */
const WINDOW = 1;

export type Clock = () => number;

export interface NewTotpSecret {
  /** Base32, as authenticator apps take it when typed. */
  secret: string;
  uri: string;
}

function totpFor(secret: string, { issuer, label }: { issuer: string; label: string }): TOTP {
  return new TOTP({ issuer, label, algorithm: 'SHA1', digits: TOTP_DIGITS, period: PERIOD_SECONDS, secret: Secret.fromBase32(secret) });
}

export function newTotpSecret(account: { issuer: string; label: string }): NewTotpSecret {
  const secret = new Secret({ size: SECRET_BYTES }).base32;
  return { secret, uri: totpFor(secret, account).toString() };
}

/**
 * The time step a code belongs to (within the window around `now`), or null if it matches none. The
 * caller accepts it only if it is later than the last step used, so a code works once (S36).
 */
export function matchingTimeStep(secret: string, code: string, now: number): number | null {
  if (!/^\d+$/.test(code) || code.length !== TOTP_DIGITS) return null;
  const delta = totpFor(secret, { issuer: '', label: '' }).validate({ token: code, timestamp: now, window: WINDOW });
  return delta === null ? null : Math.floor(now / 1000 / PERIOD_SECONDS) + delta;
}

import { createHash, randomBytes } from 'node:crypto';
import signature from 'cookie-signature';
import type { Request, Response } from 'express';
import type { Config } from '../config';
import { readCookie } from '../http/cookies';

type DeviceCookieConfig = Pick<Config, 'deviceCookieName' | 'sessionSecrets' | 'isProduction'>;

/** Browsers cap cookie lifetimes at 400 days; a year keeps a device recognised between visits. */
export const DEVICE_COOKIE_MAX_AGE_MS = 365 * 24 * 60 * 60 * 1000;

/**
 * The public key of a device id: what sessions and the devices collection store. The raw id stays in
 * the browser, so nothing read from the database can be replayed as a device cookie.
 */
export function deviceKeyOf(deviceId: string): string {
  return createHash('sha256').update('gatehouse device\0').update(deviceId).digest('base64url').slice(0, 32);
}

/**
 * The key of the device cookie a request carries, if its signature verifies under any configured secret.
 * A device cookie is not a credential: it only tells the sign-in throttle that this browser signed in to
 * an account before (OWASP "device cookies", S32), and names the browser in session lists.
 */
export function presentedDeviceKey(req: Request, config: DeviceCookieConfig): string | null {
  const value = readCookie(req, config.deviceCookieName);
  if (!value) return null;
  for (const secret of config.sessionSecrets) {
    const deviceId = signature.unsign(value, secret);
    if (deviceId !== false) return deviceKeyOf(deviceId);
  }
  return null;
}

export interface DeviceIdentity {
  key: string;
  /** Set when the browser has no valid device cookie yet: what to send it once the sign-in succeeds. */
  cookieToIssue: string | null;
}

/** The request's device, or a new one for a browser that carries no (valid) device cookie. */
export function deviceIdentity(req: Request, config: DeviceCookieConfig): DeviceIdentity {
  const presented = presentedDeviceKey(req, config);
  if (presented) return { key: presented, cookieToIssue: null };
  const [secret] = config.sessionSecrets;
  if (!secret) throw new Error('no session secret to sign the device cookie with');
  const deviceId = randomBytes(24).toString('base64url');
  return { key: deviceKeyOf(deviceId), cookieToIssue: signature.sign(deviceId, secret) };
}

/** Only a successful sign-in gives a browser its device cookie (anonymous visitors get no cookie, R6). */
export function issueDeviceCookie(res: Response, identity: DeviceIdentity, config: DeviceCookieConfig): void {
  if (!identity.cookieToIssue) return;
  res.cookie(config.deviceCookieName, identity.cookieToIssue, {
    httpOnly: true,
    secure: config.isProduction,
    sameSite: 'lax',
    path: '/',
    maxAge: DEVICE_COOKIE_MAX_AGE_MS,
  });
}

import { randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Config, DeviceBindingConfig } from '../config';
import { readCookie } from '../http/cookies';
import { BOUND_COOKIE_PATH, boundCookieOptions, clearBoundCookie } from '../sessions/cookie-session';
import { createSigner } from './signing';

/**
 * The short-lived cookie a bound session needs on every request (S45). Its value is
 * `expiry.nonce.tag`, the tag an HMAC over the binding's id, the expiry and the nonce: checking it is
 * one HMAC and no database work. A new nonce each time, because Chromium takes an unchanged value for
 * a failed refresh.
 */
export interface BoundCookie {
  issue(res: Response, bindingId: string, now?: number): void;
  isValid(req: Request, bindingId: string, now?: number): boolean;
  clear(res: Response): void;
  /** The attributes as the session instructions repeat them (they must match the Set-Cookie). */
  attributes: string;
  name: string;
}

export function createBoundCookie(config: Pick<Config, 'sessionSecrets' | 'isProduction'> & { deviceBinding: DeviceBindingConfig }): BoundCookie {
  const { cookieName, cookieSeconds } = config.deviceBinding;
  const signer = createSigner(config.sessionSecrets, 'device-bound cookie');
  const options = boundCookieOptions(config);

  return {
    name: cookieName,
    attributes: `Path=${BOUND_COOKIE_PATH}; HttpOnly; SameSite=Lax${config.isProduction ? '; Secure' : ''}`,

    issue(res, bindingId, now = Date.now()) {
      const expiresAt = String(now + cookieSeconds * 1000);
      const nonce = randomBytes(9).toString('base64url');
      res.cookie(cookieName, `${expiresAt}.${nonce}.${signer.tag([bindingId, expiresAt, nonce])}`, { ...options, maxAge: cookieSeconds * 1000 });
    },

    isValid(req, bindingId, now = Date.now()) {
      const [expiresAt, nonce, tag, ...rest] = (readCookie(req, cookieName) ?? '').split('.');
      if (expiresAt === undefined || nonce === undefined || tag === undefined || rest.length > 0) return false;
      // The expiry is signed: a copy kept past its Max-Age is refused all the same.
      return Number(expiresAt) > now && signer.verify([bindingId, expiresAt, nonce], tag);
    },

    clear(res) {
      clearBoundCookie(res, cookieName, config);
    },
  };
}

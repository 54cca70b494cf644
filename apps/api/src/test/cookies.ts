import signature from 'cookie-signature';
import { parseSetCookie } from 'set-cookie-parser';
import type { Cookie } from 'set-cookie-parser';
import { DEVICE_COOKIE, SESSION_COOKIE } from '../config';

export { DEVICE_COOKIE, SESSION_COOKIE };
export type { Cookie };

/** Any response the tests see: supertest's, node:http's (`headers['set-cookie']`) or fetch's. */
type AnyResponse = { headers: Headers } | { headers: Record<string, unknown> };

/** Every cookie a response set, parsed and decoded: the one cookie parser of the test kit. */
export function setCookies(res: AnyResponse): Cookie[] {
  const headers = res.headers;
  const raw = headers instanceof Headers ? headers.getSetCookie() : headers['set-cookie'];
  const values = typeof raw === 'string' ? [raw] : Array.isArray(raw) ? raw.filter((value): value is string => typeof value === 'string') : [];
  return parseSetCookie(values, { decodeValues: true });
}

/** The cookie of that name a response set with a value (not a clearing), if any. */
export function findCookie(res: AnyResponse, name = SESSION_COOKIE): Cookie | undefined {
  return setCookies(res).find((cookie) => cookie.name === name && cookie.value !== '');
}

/** The session cookie a response set under either name (`gh.sid`, or `__Host-gh.sid` in production). */
export function issuedSessionCookie(res: AnyResponse): Cookie {
  const cookie = findCookie(res, SESSION_COOKIE) ?? findCookie(res, `__Host-${SESSION_COOKIE}`);
  if (!cookie) throw new Error(`expected a session cookie, got: ${JSON.stringify(setCookies(res).map((c) => c.name))}`);
  return cookie;
}

/** The cookie a response set; fails the test if there is none. */
export function issuedCookie(res: AnyResponse, name = SESSION_COOKIE): Cookie {
  const cookie = findCookie(res, name);
  if (!cookie) throw new Error(`expected a ${name} cookie, got: ${JSON.stringify(setCookies(res).map((c) => c.name))}`);
  return cookie;
}

/** The `name=value` pair a browser would send back. */
export function cookieHeader(cookie: Pick<Cookie, 'name' | 'value'>): string {
  return `${cookie.name}=${encodeURIComponent(cookie.value)}`;
}

/** Parses a `name=value` pair back (what `cookieHeader` made). */
export function cookieFromHeader(pair: string): Pick<Cookie, 'name' | 'value'> {
  const index = pair.indexOf('=');
  return { name: pair.slice(0, index), value: decodeURIComponent(pair.slice(index + 1)) };
}

/** The raw session id inside a signed session cookie (`s:<sid>.<sig>`); throws if it does not verify. */
export function unsignSid(cookie: Pick<Cookie, 'value'> | string, secret: string): string {
  const value = typeof cookie === 'string' ? cookieFromHeader(cookie).value : cookie.value;
  const sid = signature.unsign(value.slice(2), secret);
  if (sid === false) throw new Error('cookie signature does not verify');
  return sid;
}

/** A session cookie value for this id, signed as express-session would. */
export function signSid(sid: string, secret: string): string {
  return `s:${signature.sign(sid, secret)}`;
}

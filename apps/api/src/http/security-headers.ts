import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import helmet from 'helmet';
import type { HelmetOptions } from 'helmet';
import type { RequestHandler } from 'express';

/** Strict CSP: the SPA build loads only its own files, so nothing inline or third-party is allowed (S24). */
export function helmetOptions({ isProduction }: { isProduction: boolean }): Readonly<HelmetOptions> {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        ...(isProduction ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: isProduction ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  };
}

/**
 * The headers helmet sets with these options, asked once at start: nothing in them depends on the
 * request (no nonces), so every response can get the same list without helmet rebuilding the CSP
 * string and running its fourteen middlewares per request.
 */
export function securityHeaderList(config: { isProduction: boolean }): ReadonlyArray<readonly [string, string]> {
  const req = new IncomingMessage(new Socket());
  const res = new ServerResponse(req);
  let error: unknown = null;
  helmet(helmetOptions(config))(req, res, (failure?: unknown) => {
    error = failure ?? null;
  });
  if (error !== null) throw error;
  return Object.entries(res.getHeaders()).map(([name, value]) => [name, String(value)] as const);
}

/** The web app's pages and files: helmet's whole set, with the strict CSP and HSTS in production (S24). */
export function createSecurityHeaders(config: { isProduction: boolean }): RequestHandler {
  return setting(securityHeaderList(config));
}

/** Of helmet's set, what also protects an answer that is not a page: HSTS, nosniff, no referrer, same-origin reads. */
const KEPT_FOR_API_ANSWERS = new Set(['strict-transport-security', 'x-content-type-options', 'referrer-policy', 'cross-origin-resource-policy']);

/**
 * API answers are JSON (or an event stream) that a browser never renders as a page: the headers OWASP
 * lists for REST answers (S24). Nothing may load, run or frame one (`default-src 'none'`,
 * `frame-ancestors 'none'`, X-Frame-Options DENY), no cache may keep one (they carry personal data and
 * session state), and helmet's HSTS, nosniff, Referrer-Policy and CORP as on pages. The page-only
 * headers (the web app's CSP, COOP, Origin-Agent-Cluster, X-DNS-Prefetch-Control, X-Download-Options,
 * X-Permitted-Cross-Domain-Policies, X-XSS-Protection) act on documents only, and were about half the
 * bytes of every answer. The two development pages under /api (the API reference, a mail in the outbox)
 * set a CSP of their own.
 */
export function apiSecurityHeaderList(config: { isProduction: boolean }): ReadonlyArray<readonly [string, string]> {
  return [
    ...securityHeaderList(config).filter(([name]) => KEPT_FOR_API_ANSWERS.has(name)),
    ['content-security-policy', "default-src 'none'; frame-ancestors 'none'"],
    ['x-frame-options', 'DENY'],
    ['cache-control', 'no-store'],
  ];
}

export function createApiSecurityHeaders(config: { isProduction: boolean }): RequestHandler {
  return setting(apiSecurityHeaderList(config));
}

/** Sets the same headers on every response: none of them depends on the request. */
function setting(headers: ReadonlyArray<readonly [string, string]>): RequestHandler {
  return (_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}

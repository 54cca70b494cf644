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

/** Every response, SPA files included, carries CSP, HSTS (production), nosniff, Referrer-Policy… (S24). */
export function createSecurityHeaders(config: { isProduction: boolean }): RequestHandler {
  const headers = securityHeaderList(config);
  return (_req, res, next) => {
    for (const [name, value] of headers) res.setHeader(name, value);
    next();
  };
}

/** API answers carry personal data and session state: no shared or browser cache may keep them. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.setHeader('Cache-Control', 'no-store');
  next();
};

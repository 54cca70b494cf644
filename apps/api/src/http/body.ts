import express from 'express';
import type { RequestHandler } from 'express';
import { HttpError } from './errors';

export const BODY_LIMIT = '10kb';
export const MAX_JSON_DEPTH = 16;

const METHODS_WITH_BODY = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

class JsonTooDeepError extends Error {
  override name = 'JsonTooDeepError';
  readonly type = 'entity.too.deep';
  readonly status = 400;
}

/**
 * Counts nesting on the raw bytes before JSON.parse builds anything, so a 10k-deep document costs a
 * linear scan instead of a deep object graph that later recursion (validation, logging) would choke on.
 */
export function exceedsJsonDepth(raw: Buffer, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (const byte of raw) {
    if (inString) {
      if (escaped) escaped = false;
      else if (byte === 0x5c) escaped = true;
      else if (byte === 0x22) inString = false;
      continue;
    }
    if (byte === 0x22) inString = true;
    else if (byte === 0x7b || byte === 0x5b) {
      depth += 1;
      if (depth > maxDepth) return true;
    } else if (byte === 0x7d || byte === 0x5d) depth -= 1;
  }
  return false;
}

/** The media type without parameters, as `express.json()` compares it (`application/json; charset=utf-8` is JSON). */
function isJsonMediaType(contentType: string): boolean {
  return contentType.split(';')[0]?.trim().toLowerCase() === 'application/json';
}

const jsonParser = express.json({
  limit: BODY_LIMIT,
  strict: true,
  verify: (_req, _res, raw) => {
    if (exceedsJsonDepth(raw, MAX_JSON_DEPTH)) throw new JsonTooDeepError('The JSON body is nested too deeply.');
  },
});

/**
 * Request bodies are JSON only (S14), at most 10 kB, strict and depth-limited (S20, S23). Forms and
 * text/plain are what a cross-site page can send without a preflight. A declared type must be JSON even
 * on an empty body; an empty body may also declare none, so a POST that takes no body (sign-out,
 * revoke-others) works with or without `Content-Type: application/json`. GET, HEAD and OPTIONS carry no
 * body here and pass straight on: one layer and one look-up for most requests, where the parser alone
 * set `req.body` on every request and logged its reasons to skip.
 */
export const jsonBody: RequestHandler = (req, res, next) => {
  if (!METHODS_WITH_BODY.has(req.method)) return next();
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  const contentType = req.headers['content-type'];
  if (contentType === undefined ? hasBody : !isJsonMediaType(contentType)) {
    return next(new HttpError(415, 'unsupported_media_type', 'Send the request body as application/json.'));
  }
  jsonParser(req, res, next);
};

/** body-parser reports problems as errors with a `type`; this maps them to our codes. */
export function bodyParserError(error: unknown): HttpError | null {
  if (typeof error !== 'object' || error === null || !('type' in error) || typeof error.type !== 'string') return null;
  switch (error.type) {
    case 'entity.too.large':
      return new HttpError(413, 'payload_too_large', `The request body is larger than ${BODY_LIMIT}.`);
    case 'entity.parse.failed':
    case 'request.aborted':
    case 'request.size.invalid':
      return new HttpError(400, 'malformed_body', 'The request body is not valid JSON.');
    case 'entity.too.deep':
      return new HttpError(400, 'malformed_body', 'The JSON body is nested too deeply.');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpError(415, 'unsupported_media_type', 'Send the request body as UTF-8 JSON.');
    default:
      return null;
  }
}

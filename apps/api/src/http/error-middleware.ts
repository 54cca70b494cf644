import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { ErrorBody } from '@gatehouse/types/errors';
import { ZodError } from 'zod';
import { isDatabaseUnavailable } from '../db/errors';
import { bodyParserError } from './body';
import { HttpError, notFound, serviceUnavailable } from './errors';

/** Zod issues keyed by field path ("email", "password"), first message per field. */
export function fieldErrors(error: ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.length > 0 ? issue.path.map(String).join('.') : '_';
    fields[key] ??= issue.message;
  }
  return fields;
}

function toHttpError(error: unknown): HttpError | null {
  if (error instanceof HttpError) return error;
  if (error instanceof ZodError) return new HttpError(400, 'validation_failed', 'Some fields are not valid.', { fields: fieldErrors(error) });
  if (isDatabaseUnavailable(error)) return serviceUnavailable();
  return bodyParserError(error);
}

/** What is safe to log about an unexpected error: never its enumerable extras (body-parser attaches the raw body). */
function describeForLog(error: unknown): { type: string; message: string; stack?: string } {
  if (error instanceof Error) return { type: error.name, message: error.message, ...(error.stack ? { stack: error.stack } : {}) };
  return { type: typeof error, message: 'non-error value thrown' };
}

export const apiNotFound: RequestHandler = (_req, _res, next) => next(notFound());

/** The single place that turns errors into the JSON error shape; internals never reach the client (S25). */
export const errorMiddleware: ErrorRequestHandler = (error: unknown, req, res, next) => {
  if (res.headersSent) return next(error);
  const known = toHttpError(error);
  const httpError = known ?? new HttpError(500, 'internal', 'Something went wrong on our side.');
  if (!known) {
    // pino-http logs `res.err` with the request line, id and latency.
    (res as { err?: unknown }).err = describeForLog(error);
  } else if (httpError.status === 503) {
    req.log?.warn({ err: describeForLog(error) }, 'database unavailable');
  }
  const body: ErrorBody = {
    error: {
      code: httpError.code,
      message: httpError.message,
      ...(httpError.options.fields ? { fields: httpError.options.fields } : {}),
      ...(httpError.options.signedInAs ? { signedInAs: httpError.options.signedInAs } : {}),
      ...(httpError.options.sessionLimit ? { sessionLimit: httpError.options.sessionLimit } : {}),
    },
  };
  res
    .status(httpError.status)
    .set(httpError.options.headers ?? {})
    .json(body);
};

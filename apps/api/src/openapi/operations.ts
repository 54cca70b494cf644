import type { OpenAPIRegistry, ResponseConfig, RouteConfig } from '@asteasolutions/zod-to-openapi';
import type { ZodType } from 'zod';
import { ErrorBodySchema } from '@gatehouse/types/errors';
import type { ErrorCode } from '@gatehouse/types/errors';

/** The security scheme every signed-in operation names; document.ts defines it with the configured cookie name. */
export const SESSION_COOKIE_SCHEME = 'sessionCookie';

const ErrorBody = ErrorBodySchema.meta({
  id: 'Error',
  description: 'Every error answer: a stable `code`, a message for people, and per-field messages for `validation_failed`.',
});

type ErrorStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 429 | 503;

/** Who may call an operation: anyone, a signed-in person (the session cookie), or an administrator. */
export type Access = 'public' | 'signed-in' | 'admin';

export interface Operation extends Omit<RouteConfig, 'responses' | 'security'> {
  access: Access;
  /** The success answers; the error answers come from `errors` and from what every operation of its kind can meet. */
  responses: Record<number, ResponseConfig>;
  errors?: Partial<Record<ErrorStatus, ErrorCode[]>>;
  /** Health probes answer without the database; everything else gets 503 + Retry-After while it is unreachable. */
  needsDatabase?: boolean;
}

const RETRY_AFTER = {
  'Retry-After': { description: 'Seconds to wait before trying again.', schema: { type: 'integer', minimum: 1 } },
} as const;

const STATUS_TEXT: Record<ErrorStatus, string> = {
  400: 'The request is not valid',
  401: 'Not signed in, or the proof was wrong',
  403: 'Refused',
  404: 'Not found',
  409: 'Conflict',
  413: 'The body is larger than 10 kB',
  415: 'The body is not application/json',
  429: 'Too many attempts: wait for `Retry-After` seconds',
  503: 'The database is unreachable: try again after `Retry-After` seconds (the session is not lost)',
};

function errorResponse(status: ErrorStatus, codes: readonly ErrorCode[]): ResponseConfig {
  return {
    description: `${STATUS_TEXT[status]}. \`error.code\`: ${[...new Set(codes)].map((code) => `\`${code}\``).join(', ')}.`,
    ...(status === 429 || status === 503 ? { headers: RETRY_AFTER } : {}),
    content: { 'application/json': { schema: ErrorBody } },
  };
}

const BODY_METHODS = new Set(['post', 'put', 'patch', 'delete']);

/** What any operation of a kind can meet, so each description lists only what is particular to it. */
function commonErrors({
  method,
  access,
  needsDatabase = true,
}: Pick<Operation, 'method' | 'access' | 'needsDatabase'>): Partial<Record<ErrorStatus, ErrorCode[]>> {
  const errors: Partial<Record<ErrorStatus, ErrorCode[]>> = {};
  const add = (status: ErrorStatus, code: ErrorCode) => (errors[status] ??= []).push(code);
  if (BODY_METHODS.has(method)) {
    add(403, 'cross_site_request');
    add(400, 'malformed_body');
    add(413, 'payload_too_large');
    add(415, 'unsupported_media_type');
  }
  if (access !== 'public') {
    add(401, 'unauthenticated');
    // A session bound to a device key, presented without its bound cookie (S45).
    add(401, 'device_binding_required');
  }
  if (access === 'admin') {
    add(403, 'forbidden');
    // With REQUIRE_ADMIN_SECOND_FACTOR, an administrator without a second factor gets no console.
    add(403, 'second_factor_required');
  }
  if (needsDatabase) add(503, 'service_unavailable');
  return errors;
}

/** A JSON answer with a named schema. */
export function json(description: string, schema: ZodType, extra: Omit<ResponseConfig, 'description' | 'content'> = {}): ResponseConfig {
  return { description, ...extra, content: { 'application/json': { schema } } };
}

/** A JSON request body. */
export function jsonBody(schema: ZodType, description?: string): NonNullable<RouteConfig['request']>['body'] {
  return { required: true, ...(description ? { description } : {}), content: { 'application/json': { schema } } };
}

export const SETS_SESSION_COOKIE = {
  headers: {
    'Set-Cookie': {
      description: 'The session cookie (a new id: sessions change id on every proof of identity) and the device cookie.',
      schema: { type: 'string' },
    },
  },
} as const;

/** Registers one operation with its security requirement and every error answer it can give. */
export function addOperation(api: OpenAPIRegistry, { access, errors = {}, needsDatabase, responses, ...route }: Operation): void {
  const merged = commonErrors({ method: route.method, access, needsDatabase });
  for (const [status, codes] of Object.entries(errors)) {
    const key = Number(status) as ErrorStatus;
    merged[key] = [...(merged[key] ?? []), ...(codes ?? [])];
  }
  const errorResponses = Object.fromEntries(
    Object.entries(merged).map(([status, codes]) => [status, errorResponse(Number(status) as ErrorStatus, codes ?? [])]),
  );
  api.registerPath({
    ...route,
    security: access === 'public' ? [] : [{ [SESSION_COOKIE_SCHEME]: [] }],
    responses: { ...responses, ...errorResponses },
  });
}

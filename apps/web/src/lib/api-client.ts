import type { ErrorBody, ErrorCode } from '@gatehouse/types/errors';
import type { SessionLimitDetails } from '@gatehouse/types/sessions';

/*
 * Response bodies are typed by the shared contracts but not re-parsed here: the API validates what
 * it sends with the same zod schemas, and leaving zod out keeps the browser bundle small.
 */

export class ApiError extends Error {
  override readonly name = 'ApiError';
  // Declared, not initialised: the constructor fills them all at once (fewer bytes on every first page).
  declare readonly status: number;
  declare readonly code: ErrorCode;
  declare readonly fields: Readonly<Record<string, string>>;
  /** Seconds the server asked us to wait (Retry-After), when it said. */
  declare readonly retryAfter: number | null;
  /** With `signed_in_as_other`: the address of the account this browser is signed in to. */
  declare readonly signedInAs: string | null;
  /** With `session_limit_reached`: the sessions to choose one to end from, and the ticket to do it. */
  declare readonly sessionLimit?: SessionLimitDetails;

  /** `init` is the error body's fields as they came, or fewer: what is missing takes its default. */
  constructor(init: {
    status: number;
    code: ErrorCode;
    message: string;
    fields?: Record<string, string>;
    retryAfter?: number | null;
    signedInAs?: string;
    sessionLimit?: SessionLimitDetails;
  }) {
    super(init.message);
    Object.assign(this, { fields: {}, retryAfter: null, signedInAs: null }, init);
  }
}

export function isApiError(error: unknown, code?: ErrorCode): error is ApiError {
  return error instanceof ApiError && (code === undefined || error.code === code);
}

/** The database (or the whole API) is away: worth waiting for, never a reason to sign anyone out. */
export function isServiceUnavailable(error: unknown): error is ApiError {
  return isApiError(error, 'service_unavailable');
}

/** 401s that refuse a proof typed while signed in (re-authentication asking for, or refusing, a code). */
const REFUSED_PROOF_CODES: readonly ErrorCode[] = ['invalid_credentials', 'second_factor_required', 'invalid_code'];

/** The cookie no longer names a live session (as opposed to a wrong password or code typed while signed in). */
export function isSessionGone(error: unknown): error is ApiError {
  return error instanceof ApiError && error.status === 401 && !REFUSED_PROOF_CODES.includes(error.code);
}

export function parseRetryAfter(header: string | null, now = Date.now()): number | null {
  if (header === null || header.trim() === '') return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, Math.ceil(seconds));
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - now) / 1000));
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Just enough of ErrorBody's shape to use `code`, `message`, `fields` and `signedInAs`; anything else is
 * not our API talking. A code this build does not know yet is passed on as is.
 */
export function isErrorBody(body: unknown): body is ErrorBody {
  if (!isRecord(body) || !isRecord(body.error)) return false;
  const { code, message, fields, signedInAs } = body.error;
  if (typeof code !== 'string' || typeof message !== 'string') return false;
  if (signedInAs !== undefined && typeof signedInAs !== 'string') return false;
  return fields === undefined || (isRecord(fields) && Object.values(fields).every((value) => typeof value === 'string'));
}

async function toApiError(response: Response): Promise<ApiError> {
  const retryAfter = parseRetryAfter(response.headers.get('Retry-After'));
  const body: unknown = await response.json().catch(() => null);
  if (isErrorBody(body)) {
    return new ApiError({ ...body.error, status: response.status, retryAfter });
  }
  // Our API always answers in ErrorBody shape; a bare 5xx comes from a proxy in front of a stopped API.
  if (response.status >= 500) {
    return new ApiError({ status: 503, code: 'service_unavailable', message: 'The service is unavailable.', retryAfter });
  }
  return new ApiError({ status: response.status, code: 'internal', message: 'Something went wrong. Please try again.', retryAfter });
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/*
 * No request is ever aborted (there is deliberately no AbortSignal here, even for queries TanStack
 * cancels): any answer may carry the session's new id, which the server hands out on whichever request
 * comes first after an administrator changed the account's role. An answer the browser gave up on
 * would take that cookie with it, and the tab would be left holding an id that no longer exists.
 */
interface RequestOptions {
  method?: Method;
  body?: unknown;
}

async function send(path: string, { method = 'GET', body }: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  // The API accepts JSON bodies only (a cross-site form cannot forge one), so every write carries one;
  // a DELETE only when it has something to say (its body is optional).
  const hasBody = method !== 'GET' && (method !== 'DELETE' || body !== undefined);
  if (hasBody) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: hasBody ? JSON.stringify(body ?? {}) : undefined,
    });
  } catch {
    throw new ApiError({ status: 0, code: 'service_unavailable', message: 'The service cannot be reached.' });
  }
  if (!response.ok) throw await toApiError(response);
  return response;
}

/** Calls an endpoint that answers JSON; `T` is the endpoint's response type from `@gatehouse/types`. */
export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const response = await send(path, options);
  return (await response.json()) as T;
}

/** Calls an endpoint that answers 204 No Content. */
export async function apiCommand(path: string, options: RequestOptions = {}): Promise<void> {
  await send(path, options);
}

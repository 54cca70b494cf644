import { MongooseError } from 'mongoose';

const UNAVAILABLE_ERROR_NAMES = new Set([
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoServerSelectionError',
  'MongooseServerSelectionError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoClientClosedError',
  'MongoServerClosedError',
  'MongoPoolClearedError',
  'MongoOperationTimeoutError',
]);

/**
 * Socket errors the driver (7.8) lets through unwrapped, e.g. EPIPE "This socket has been ended by the
 * other party" when a command is written just as the server goes away. The database is the only thing
 * the API talks to over a socket, so these mean it is unreachable.
 */
const SOCKET_ERROR_CODES = new Set(['EPIPE', 'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * True when the database could not be reached, as opposed to refusing an operation. Such errors must
 * become 503 (retry later): a 401 would sign the SPA out, a 500 would hide that it is transient (R1/R2).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (UNAVAILABLE_ERROR_NAMES.has(error.name)) return true;
  if (error instanceof MongooseError && /before initial connection|buffering timed out|connection.*closed/i.test(error.message)) return true;
  if (error.message === 'Mongo connection is not established') return true;
  if ('code' in error && typeof error.code === 'string' && SOCKET_ERROR_CODES.has(error.code)) return true;
  return error.cause !== undefined && error.cause !== error && isDatabaseUnavailable(error.cause);
}

export function isDuplicateKeyError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 11000;
}

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
 * True when the database could not be reached, as opposed to refusing an operation. Such errors must
 * become 503 (retry later): a 401 would sign the SPA out, a 500 would hide that it is transient (R1/R2).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (UNAVAILABLE_ERROR_NAMES.has(error.name)) return true;
  if (error instanceof MongooseError && /before initial connection|buffering timed out|connection.*closed/i.test(error.message)) return true;
  if (error.message === 'Mongo connection is not established') return true;
  return error.cause !== undefined && error.cause !== error && isDatabaseUnavailable(error.cause);
}

export function isDuplicateKeyError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 11000;
}

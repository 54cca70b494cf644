import { createHmac, hkdfSync } from 'node:crypto';

/** A key of its own for handles, derived from the signing secret so no extra secret needs managing. */
export function deriveHandleKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'gatehouse session handle', 32));
}

/**
 * The public name of a session: a keyed hash of its id. It can appear in URLs and lists, and knowing it
 * never lets anyone present the session (the raw id never leaves the server).
 */
export function sessionHandle(handleKey: Buffer, sid: string): string {
  return createHmac('sha256', handleKey).update(sid).digest('base64url').slice(0, 32);
}

export function createHandleFn(secret: string): (sid: string) => string {
  const key = deriveHandleKey(secret);
  return (sid) => sessionHandle(key, sid);
}

import { createHash } from 'node:crypto';

/**
 * The public name of a session: a one-way hash of its id. It can appear in URLs and lists, and knowing
 * it never lets anyone present the session (the raw id never leaves the server). A plain hash suffices
 * because the id is 192 random bits: there is nothing to guess. No key is involved, so a handle stays
 * the same across secret rotation and can be stored with the session for indexed lookups.
 */
export function sessionHandle(sid: string): string {
  return createHash('sha256').update('gatehouse session handle\0').update(sid).digest('base64url').slice(0, 32);
}

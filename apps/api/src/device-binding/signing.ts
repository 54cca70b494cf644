import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Short HMAC tags over a few fields, under keys derived from the session secrets for one `purpose`: the
 * first secret signs, every one verifies, so rotating SESSION_SECRETS never breaks a bound session.
 */
export interface Signer {
  tag(fields: readonly string[]): string;
  verify(fields: readonly string[], tag: string): boolean;
}

const TAG_LENGTH = 32;

export function createSigner(secrets: readonly string[], purpose: string): Signer {
  if (secrets.length === 0) throw new Error('device binding needs at least one session secret');
  const keys = secrets.map((secret) => createHmac('sha256', secret).update(`gatehouse ${purpose}`).digest());
  const tagWith = (key: Buffer, fields: readonly string[]) => createHmac('sha256', key).update(fields.join('\0')).digest('base64url').slice(0, TAG_LENGTH);
  return {
    tag: (fields) => tagWith(keys[0] as Buffer, fields),
    verify(fields, tag) {
      if (tag.length !== TAG_LENGTH) return false;
      const presented = Buffer.from(tag);
      return keys.some((key) => timingSafeEqual(Buffer.from(tagWith(key, fields)), presented));
    },
  };
}

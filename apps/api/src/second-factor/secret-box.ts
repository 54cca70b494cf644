import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = 'v1';

/** Seals secrets for storage (AES-256-GCM): what the database holds is useless without the key (S36). */
export interface SecretBox {
  /** `context` is authenticated with the ciphertext: a value sealed for one account opens for no other. */
  seal(plaintext: string, context: string): string;
  /** Throws if the value was sealed under no configured key, for another context, or was altered. */
  open(sealed: string, context: string): string;
}

export class SecretBoxError extends Error {
  override name = 'SecretBoxError';
}

/** A short public name of a key, stored with each value so rotation knows which key opens it. */
function keyIdOf(key: Buffer): string {
  return createHash('sha256').update('gatehouse secret box key\0').update(key).digest('base64url').slice(0, 8);
}

/** The first key seals; every key opens, so keys rotate by putting a new one first. */
export function createSecretBox(keys: readonly Buffer[]): SecretBox {
  const [current] = keys;
  if (!current || keys.some((key) => key.length !== 32)) throw new SecretBoxError('AES-256-GCM needs 32-byte keys');
  const byId = new Map(keys.map((key) => [keyIdOf(key), key]));
  const currentId = keyIdOf(current);

  return {
    seal(plaintext, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv(ALGORITHM, current, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return [VERSION, currentId, iv.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
    },

    open(sealed, context) {
      const [version, keyId, iv, ciphertext, tag] = sealed.split('.');
      if (version !== VERSION || !keyId || iv === undefined || ciphertext === undefined || tag === undefined) throw new SecretBoxError('not a sealed value');
      const key = byId.get(keyId);
      if (!key) throw new SecretBoxError('sealed under a key that is not configured');
      try {
        const decipher = createDecipheriv(ALGORITHM, key, Buffer.from(iv, 'base64url'), { authTagLength: TAG_BYTES });
        decipher.setAAD(Buffer.from(context, 'utf8'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
      } catch {
        throw new SecretBoxError('the sealed value does not open with its key and context');
      }
    },
  };
}

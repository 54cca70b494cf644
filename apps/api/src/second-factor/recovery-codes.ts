import { createHash, randomBytes } from 'node:crypto';
import { RECOVERY_CODE_COUNT } from '@gatehouse/types/second-factor';

/** RFC 4648 base32 in lower case: no 0/1/8/9, so nothing to confuse with o, l, b or g. */
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
/** 16 characters of 5 bits: 80 random bits, beyond guessing even with a fast hash. */
export const RECOVERY_CODE_LENGTH = 16;

/** Shown in groups of four for copying by hand; dashes and case are ignored when typed back. */
function formatCode(code: string): string {
  return code.match(/.{4}/g)?.join('-') ?? code;
}

export function newRecoveryCodes(): { shown: string[]; normalised: string[] } {
  const normalised = Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const bytes = randomBytes(RECOVERY_CODE_LENGTH);
    return Array.from(bytes, (byte) => ALPHABET[byte & 31]).join('');
  });
  return { shown: normalised.map(formatCode), normalised };
}

/**
 * What the database keeps of a code (S36). A plain SHA-256 is enough for 80 random bits (nothing to
 * brute-force, unlike a password); the account id in the input ties a code to its account.
 */
export function recoveryCodeHash(userId: string, normalisedCode: string): string {
  return createHash('sha256').update('gatehouse recovery code\0').update(userId).update('\0').update(normalisedCode).digest('base64url');
}

export function looksLikeRecoveryCode(normalisedCode: string): boolean {
  return normalisedCode.length === RECOVERY_CODE_LENGTH && [...normalisedCode].every((char) => ALPHABET.includes(char));
}

/**
 * Eight characters is the floor NIST 800-63B and OWASP ASVS allow when the password is not the only
 * factor's whole story: we refuse common passwords from a shipped list and throttle guessing, so
 * length is not asked to carry all the weight. No composition rules: they push people to predictable
 * patterns. 128 characters is far above any passphrase and keeps hashing cost bounded; it is checked
 * before anything is hashed.
 *
 * Kept free of zod so the browser can show the same limits without loading a schema library.
 */
export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

export const NAME_MAX_LENGTH = 100;
export const EMAIL_MAX_LENGTH = 254;

/** The name a person gives one of their browsers ("Work laptop"). */
export const DEVICE_NAME_MAX_LENGTH = 60;

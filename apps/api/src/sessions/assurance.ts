import type { Assurance, AuthMethod } from '@gatehouse/types/sessions';

/** Methods that prove a second factor (a passkey is two in one: Gatehouse always requires user verification). */
const SECOND_FACTOR_METHODS: ReadonlySet<AuthMethod> = new Set(['totp', 'recovery_code', 'passkey']);

/** How strongly a set of proofs shows who someone is (NIST SP 800-63B): two factors make `aal2`. */
export function assuranceOf(authMethods: readonly AuthMethod[]): Assurance {
  return authMethods.some((method) => SECOND_FACTOR_METHODS.has(method)) ? 'aal2' : 'aal1';
}

export function meetsAssurance(level: Assurance, required: Assurance): boolean {
  return required === 'aal1' || level === 'aal2';
}

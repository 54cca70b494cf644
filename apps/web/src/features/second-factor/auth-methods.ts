import type { AuthMethod } from '@gatehouse/types/sessions';

/** The words for each way a session was proven, as session lists and activity show them. */
const METHOD_NAMES: Record<AuthMethod, string> = {
  password: 'password',
  totp: 'authenticator app',
  recovery_code: 'recovery code',
  passkey: 'passkey',
  email_link: 'email link',
};

/** "Password + authenticator app", "Passkey": how a session was signed in. */
export function describeAuthMethods(methods: readonly AuthMethod[]): string {
  const text = methods.map((method) => METHOD_NAMES[method]).join(' + ');
  return text ? `${text[0]?.toUpperCase() ?? ''}${text.slice(1)}` : 'Unknown';
}

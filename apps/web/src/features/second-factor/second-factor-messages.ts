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

export const SECOND_FACTOR_TEXT = {
  sectionTitle: 'Two-factor authentication',
  offLead: 'Add a second step to password sign-ins: a code from an authenticator app on your phone.',
  onLead: 'Signing in with your password also asks for a code from your authenticator app.',
  setUp: 'Set up an authenticator app',
  scan: 'Scan this QR code with your authenticator app, or type the key by hand.',
  secretLabel: 'Setup key',
  uriLabel: 'Or open this link on the device with the app',
  confirmCodeLabel: 'Code from the app',
  confirm: 'Turn on',
  cancel: 'Cancel',
  recoveryTitle: 'Your recovery codes',
  recoveryLead:
    'Each code works once, in place of a code from the app, if you lose your phone. Store them somewhere safe: they are not shown again.',
  recoverySaved: 'I have saved them',
  recoveryLeft: (count: number) => `${count} recovery code${count === 1 ? '' : 's'} left.`,
  newRecoveryCodes: 'New recovery codes',
  turnOff: 'Turn off',
  turnedOff: 'Two-factor authentication is off.',
  requiredForAdmin: 'Administrators of this Gatehouse must use a second factor (an authenticator app or a passkey) for the admin area.',
  stepTitle: 'Two-step sign-in',
  stepLead: 'Enter the 6-digit code from your authenticator app, or one of your recovery codes.',
  stepPasskeyLead: 'Confirm with your passkey.',
  codeLabel: 'Authentication code',
  verify: 'Verify',
  usePasskey: 'Use a passkey',
  backToSignIn: 'Use another account',
} as const;

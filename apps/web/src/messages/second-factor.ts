import type { SecondFactorErrorCode } from './errors';
import { plural } from './intl';

/** The words for the second-factor error codes (see messages/errors.ts for why they live here). */
export const secondFactorErrorTexts: Record<SecondFactorErrorCode, string> = {
  invalid_code: 'That code does not work. Codes work once, and an app’s code only for half a minute.',
  second_factor_required:
    'This needs a sign-in with your second factor. Sign out and sign in again with it (an authenticator app or a passkey), or set one up first if you have none.',
  totp_already_enabled: 'An authenticator app is already set up. Turn it off first to set up another.',
  totp_not_enabled: 'No authenticator app is set up, or this set-up expired. Start again.',
  passkey_rejected: 'The passkey could not be verified. Try again.',
};

export const secondFactorMessages = {
  sectionTitle: 'Two-factor authentication',
  offLead: 'Add a second step to password sign-ins: a code from an authenticator app on your phone.',
  onLead: 'Signing in with your password also asks for a code from your authenticator app.',
  status: 'two-factor authentication',
  setUp: 'Set up an authenticator app',
  scan: 'Scan this QR code with your authenticator app, or type the key by hand.',
  qrTitle: 'QR code for your authenticator app',
  secretLabel: 'Setup key',
  uriLabel: 'Or open this link on the device with the app',
  confirmCodeLabel: 'Code from the app',
  confirmCodeMissing: 'Enter the 6-digit code the app shows.',
  confirm: 'Turn on',
  recoveryTitle: 'Your recovery codes',
  recoveryLead: 'Each code works once, in place of a code from the app, if you lose your phone. Store them somewhere safe: they are not shown again.',
  recoverySaved: 'I have saved them',
  recoveryLeft: (count: number) => plural(count, { one: '# recovery code left.', other: '# recovery codes left.' }),
  newRecoveryCodes: 'New recovery codes',
  confirmNewCodesTitle: 'Make new recovery codes?',
  confirmNewCodesBody: 'Your current recovery codes stop working at once, used or not.',
  turnOff: 'Turn off',
  confirmTurnOffTitle: 'Turn off two-factor authentication?',
  confirmTurnOffBody: 'Signing in with your password will no longer ask for a code, and your recovery codes stop working.',
  turnedOff: 'Two-factor authentication is off.',
  since: 'since',
  requiredForAdmin: 'Administrators of this Gatehouse must use a second factor (an authenticator app or a passkey) for the admin area.',
  stepTitle: 'Two-step sign-in',
  stepLead: 'Enter the 6-digit code from your authenticator app, or one of your recovery codes.',
  stepPasskeyLead: 'Confirm with your passkey.',
  codeLabel: 'Authentication code',
  codeMissing: 'Enter the code.',
  verify: 'Verify',
  backToSignIn: 'Use another account',
  signOutOthers: 'Sign out your other sessions',
  endedSessions: (count: number) => plural(count, { one: '# other session was signed out.', other: '# other sessions were signed out.' }),
  confirmAddressFirst: 'Confirm your address before adding a second factor.',
  newConfirmationLink: 'Get a new confirmation link',
} as const;

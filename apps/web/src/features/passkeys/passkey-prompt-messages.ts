/** The few words the sign-in page and the password dialog need: kept apart so those pages stay small. */
export const PASSKEY_PROMPT_TEXT = {
  signIn: 'Sign in with a passkey',
  reauth: 'Use a passkey',
  cancelled: 'The passkey request was cancelled or timed out.',
} as const;

/** What the browser says about a field before anything is sent; the API's schemas say the same. */
export const formMessages = {
  enterName: 'Enter your name',
  enterEmail: 'Enter a valid email address',
  emailTooLong: 'Email is too long',
  enterPassword: 'Enter your password',
  enterCurrentPassword: 'Enter your current password',
  atLeast: (count: number) => `Use at least ${count} characters`,
  atMost: (count: number) => `Use at most ${count} characters`,
  correctFields: 'Please correct the highlighted fields.',
} as const;

/** The address line on the dashboard (its own chunk: see features/verification/email-status.tsx). */
export const emailStatusMessages = {
  verified: 'Verified',
  notVerified: 'Not verified',
  confirmEmail: 'Confirm your address: follow the link we mailed you.',
} as const;

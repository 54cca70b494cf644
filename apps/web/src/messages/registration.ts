/** After registration: no session yet, the same answer for every address (S34). */
export const registrationMessages = {
  checkInbox: 'Check your inbox',
  accountReady: 'Account ready',
  mailSentTo: 'We sent a mail to',
  mailSentNext: 'Follow its link to confirm your address and sign in.',
} as const;

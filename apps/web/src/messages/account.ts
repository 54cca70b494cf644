export const accountMessages = {
  title: 'Your data',
  exportLead:
    'Everything Gatehouse keeps about you — your account, sessions, activity, browsers, passkeys and connected providers — as one JSON file. It never contains a password, code or key.',
  download: 'Download your data',
  deleteTitle: 'Delete account',
  deleteLead: 'Ends every session, removes your password, second factors, passkeys and connections, and anonymises your activity. This cannot be undone.',
  deleteButton: 'Delete account',
  confirmTitle: 'Delete your account?',
  confirmBody: (email: string) => `Everything of ${email} goes, and every browser signed in to it is signed out. Type the address to confirm.`,
  confirmField: 'Email address of this account',
  confirmLabel: 'Delete account for good',
} as const;

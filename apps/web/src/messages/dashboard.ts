export const dashboardMessages = {
  hello: (name: string) => `Hello, ${name}`,
  lead: 'Where you are signed in, and what happened lately.',
  emailVerified: 'Verified',
  emailNotVerified: 'Not verified',
  confirmEmail: (email: string) => `Confirm your email address: follow the link we mailed to ${email}.`,
} as const;

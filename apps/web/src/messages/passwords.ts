import type { PasswordErrorCode } from './errors';

/** The words for the code only the forms that set a password meet (see messages/errors.ts for why they live here). */
export const passwordErrorTexts: Record<PasswordErrorCode, string> = {
  password_breached: 'This password has appeared in a data breach, so attackers try it early. Choose a different one.',
};

/** What the strength meter says; the label, not the colour, carries the meaning. */
export const strengthLabels = { weak: 'Weak', fair: 'Fair', strong: 'Strong' } as const;

export const passwordMessages = {
  strength: (label: string) => `Password strength: ${label}`,
  breachedTitle: 'Your password has appeared in a data breach',
  breachedBody: 'It still works, but attackers try known passwords first. Choose a new one to keep your account safe.',
  changeIt: 'Change your password',
} as const;

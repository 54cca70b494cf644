import type { ActivityExportFormat } from '@gatehouse/types/activity';
import type { Role } from '@gatehouse/types/users';
import { plural } from './intl';

export const adminMessages = {
  lead: 'Every session in the store, every account, and the health of the session store.',
  secondFactorRequired:
    'The admin area needs a sign-in with your second factor. Sign out and sign in again with your second factor (an authenticator app or a passkey), or set one up first on your dashboard if you have none.',
  toDashboard: 'Go to your dashboard',
  sessions: 'sessions',
  users: 'users',
  storeHealth: 'store health',
  anonymous: 'Anonymous',
  anonymousOwner: 'anonymous',
  you: 'You',
  disabled: 'Disabled',
  active: 'Active',
  connections: (providers: string) => `Connected: ${providers}`,
  roles: { user: 'User', admin: 'Administrator' } satisfies Record<Role, string>,
  roleDescriptions: {
    user: 'Sees and controls their own sessions.',
    admin: 'Also sees every session and account, and can revoke, disable and change roles.',
  } satisfies Record<Role, string>,

  noSessions: (email: string) => (email ? `No sessions for “${email}”.` : 'No sessions.'),
  pageOf: (page: number, pageCount: number, total: number) => `Page ${page} of ${pageCount} · ${plural(total, { one: '# session', other: '# sessions' })}`,

  revokeSessionLabel: (owner: string, device: string) => `Revoke session of ${owner} on ${device}`,
  confirmRevokeSessionTitle: (owner: string, device: string) => `Revoke the session of ${owner} on ${device}?`,
  confirmRevokeSessionBody: 'That device is signed out at once. Whoever uses it has to sign in again.',
  confirmRevokeSession: 'Revoke session',

  revokeAllLabel: (email: string) => `Revoke all sessions of ${email}`,
  confirmRevokeAllTitle: (email: string) => `Revoke every session of ${email}?`,
  confirmRevokeAllBody: 'They are signed out on every device at once. Your own current session stays signed in.',
  confirmRevokeAll: 'Revoke all sessions',
  revokedSessions: (count: number) => plural(count, { one: 'Revoked # session.', other: 'Revoked # sessions.' }),

  disableLabel: (email: string) => `Disable ${email}`,
  enableLabel: (email: string) => `Enable ${email}`,
  confirmDisableTitle: (name: string) => `Disable the account of ${name}?`,
  confirmDisableBody: (email: string) => `${email} is signed out everywhere at once and cannot sign in until an administrator enables the account again.`,
  confirmDisable: 'Disable account',
  disabledUser: (email: string) => `Disabled ${email}.`,
  enabledUser: (email: string) => `Enabled ${email}.`,

  changeRoleLabel: (email: string) => `Change role of ${email}`,
  confirmRoleTitle: (name: string) => `Change the role of ${name}?`,
  confirmRoleBody: (role: string) => `Now: ${role}. The new role applies from their next request; they stay signed in.`,
  newRole: 'New role',
  confirmRole: 'Change role',
  roleChanged: (email: string, role: string) => `${email} is now: ${role}.`,

  storeStatus: {
    present: 'Present',
    missing: 'Missing',
    anonymousNote: 'Should be 0: sessions are only stored for signed-in people.',
    noSessions: 'No sessions stored.',
    noReplays: 'None recently.',
    deletedAccount: (id: string) => `Deleted account ${id}`,
    unknownAccount: 'unknown account',
  },

  sendResetLinkLabel: (email: string) => `Send a reset link to ${email}`,
  confirmResetLinkTitle: (name: string) => `Send ${name} a link to set a new password?`,
  confirmResetLinkBody: (email: string) =>
    `A mail with a link goes to ${email}. You will not see the link or the password; their sessions end only once they use it.`,
  confirmResetLink: 'Send reset link',

  activityExport: {
    title: 'Activity export',
    lead: 'Every account’s activity, oldest first, streamed as it is read. Leave a field empty for no bound.',
    format: 'Format',
    formats: { ndjson: 'NDJSON (one JSON object a line)', csv: 'CSV' } satisfies Record<ActivityExportFormat, string>,
    from: 'From (UTC day)',
    to: 'To (UTC day, included)',
    email: 'Only this account (email)',
    link: 'Export activity',
  },
} as const;

import type { ActivityEvent, ActivityType } from '@gatehouse/types/activity';

export const activityLabels: Record<ActivityType, string> = {
  sign_in: 'Signed in',
  sign_in_failed: 'Failed sign-in attempt',
  sign_out: 'Signed out',
  session_revoked: 'Session revoked',
  other_sessions_revoked: 'Other sessions signed out',
  password_changed: 'Password changed',
  revoked_session_reused: 'Revoked session used again',
  session_expired: 'Session expired',
  account_disabled: 'Account disabled',
  account_enabled: 'Account enabled',
  registered: 'Account created',
  role_changed: 'Role changed',
  email_verification_sent: 'Confirmation link sent',
  email_verified: 'Email address confirmed',
  registration_attempted: 'Someone tried to register your address',
  password_reset_requested: 'Password reset link sent',
  password_reset: 'Password reset through a link',
  email_change_requested: 'Change of address asked for',
  email_changed: 'Email address changed',
  new_device_sign_in: 'Signed in from a new device (mail sent)',
};

export const actorLabels: Record<ActivityEvent['actor'], string | null> = {
  self: null,
  admin: 'by an administrator',
  system: 'automatically',
};

export const activityMessages = {
  recentActivity: 'recent activity',
  nothingYet: 'Nothing yet.',
  listLabel: 'Activity, newest first',
  suspicious: 'Suspicious',
} as const;

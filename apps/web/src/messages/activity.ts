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
  session_evicted: 'Session evicted',
  account_disabled: 'Account disabled',
  account_deleted: 'Account deleted',
  account_enabled: 'Account enabled',
  registered: 'Account created',
  role_changed: 'Role changed',
  totp_enabled: 'Authenticator app added',
  totp_disabled: 'Authenticator app removed',
  recovery_code_used: 'Recovery code used',
  passkey_added: 'Passkey added',
  passkey_removed: 'Passkey removed',
  email_verification_sent: 'Confirmation link sent',
  email_verified: 'Address confirmed',
  registration_attempted: 'Registration tried',
  password_reset_requested: 'Reset link sent',
  password_reset: 'Password reset',
  email_change_requested: 'Address change asked',
  email_changed: 'Address changed',
  email_change_cancelled: 'Address change called off',
  new_device_sign_in: 'New device',
  oidc_connected: 'Account connected',
  oidc_disconnected: 'Account disconnected',
  oidc_sign_in_refused: 'Provider sign-in refused',
  session_used_without_device_key: 'Session used without its device key',
  device_binding_ended: 'Device binding ended',
};

const NAMING_THE_PROVIDER: Partial<Record<ActivityType, (name: string) => string>> = {
  oidc_connected: (name) => `Connected ${name}`,
  oidc_disconnected: (name) => `Disconnected ${name}`,
  oidc_sign_in_refused: (name) => `Sign-in with ${name} refused`,
};

/** What happened, in words; a provider's events name it when the event says which ("Connected Google"). */
export const activityTitle = ({ type, providerName }: ActivityEvent) => (providerName && NAMING_THE_PROVIDER[type]?.(providerName)) || activityLabels[type];

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

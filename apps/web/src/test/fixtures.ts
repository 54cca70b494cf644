import type { MeResponse } from '@gatehouse/types/auth';
import type { PasskeyListResponse } from '@gatehouse/types/passkeys';
import type { SecondFactorStatusResponse } from '@gatehouse/types/second-factor';
import type { ActivityListResponse } from '@gatehouse/types/activity';
import type { CurrentSessionResponse, SessionListResponse, SessionView } from '@gatehouse/types/sessions';

const minutesFromNow = (minutes: number) => new Date(Date.now() + minutes * 60_000).toISOString();

export const ada = {
  id: '65f0c0ffee0000000000000a',
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  role: 'user' as const,
  createdAt: minutesFromNow(-600),
  emailVerified: true,
};

export function meResponse(overrides: Partial<MeResponse['user']> = {}): MeResponse {
  return {
    user: { ...ada, passwordBreached: false, ...overrides },
    session: {
      createdAt: minutesFromNow(-60),
      lastActiveAt: minutesFromNow(0),
      expiresAt: minutesFromNow(30),
      idleExpiresAt: minutesFromNow(30),
      absoluteExpiresAt: minutesFromNow(60 * 24 * 30),
      rememberMe: false,
      authenticatedAt: minutesFromNow(-60),
      assurance: 'aal1',
    },
  };
}

export function sessionView(overrides: Partial<SessionView> = {}): SessionView {
  return {
    handle: 'currentHandle0000000000',
    isCurrent: true,
    createdAt: minutesFromNow(-60),
    lastActiveAt: minutesFromNow(0),
    idleExpiresAt: minutesFromNow(30),
    absoluteExpiresAt: minutesFromNow(60 * 24 * 30),
    rememberMe: false,
    device: { browser: 'Firefox', os: 'Linux', platform: 'desktop' },
    deviceName: null,
    firstSeenAt: minutesFromNow(-60 * 24 * 7),
    ip: '127.0.0.1',
    location: { city: null, country: null, label: 'Local network' },
    authMethods: ['password'],
    assurance: 'aal1',
    signInProvider: null,
    authenticatedAt: minutesFromNow(-60),
    deviceBound: false,
    ...overrides,
  };
}

export function sessionList(): SessionListResponse {
  return {
    sessions: [
      sessionView(),
      sessionView({
        handle: 'otherHandle000000000000',
        isCurrent: false,
        lastActiveAt: minutesFromNow(-5),
        device: { browser: 'Chrome', os: 'Linux', platform: 'desktop' },
        ip: '10.0.0.2',
      }),
    ],
    cap: null,
  };
}

export function currentSession(): CurrentSessionResponse {
  return {
    session: sessionView(),
    data: { userId: ada.id, rememberMe: false },
    cookie: {
      name: 'gh.sid',
      httpOnly: true,
      secure: false,
      sameSite: 'lax',
      path: '/',
      expiresAt: null,
      server: {
        secureConfigured: false,
        trustProxy: false,
        requestIsSecure: false,
        idleTimeoutSeconds: 1800,
        rememberMeIdleTimeoutSeconds: 2_592_000,
        absoluteTimeoutSeconds: 2_592_000,
        touchAfterSeconds: 60,
      },
      warnings: [],
    },
  };
}

export function activityList(): ActivityListResponse {
  return { events: [] };
}

/** No authenticator app yet (the dashboard's "Two-factor authentication" section). */
export function secondFactorStatus(overrides: Partial<SecondFactorStatusResponse> = {}): SecondFactorStatusResponse {
  return { totp: { isEnabled: false, enabledAt: null }, recoveryCodesLeft: 0, isRequiredForAdmin: false, ...overrides };
}

export function passkeyList(): PasskeyListResponse {
  return { passkeys: [] };
}

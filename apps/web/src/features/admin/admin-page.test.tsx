import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { AdminSessionListResponse, AdminUserListResponse, StoreHealthResponse } from '@gatehouse/types/admin';
import { renderApp } from '../../test/render-app';
import { FakeEventSource, json, stubApi } from '../../test/fake-api';
import { activityList, currentSession, meResponse, sessionList } from '../../test/fixtures';

beforeEach(() => {
  FakeEventSource.install();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const now = new Date().toISOString();
const later = new Date(Date.now() + 3_600_000).toISOString();
const grace = { id: '65f0c0ffee0000000000000b', name: 'Grace Hopper', email: 'grace@example.com' };

const adminSessions = (page: number): AdminSessionListResponse => ({
  sessions: [
    {
      handle: `graceSession${page}00000000000`,
      user: grace,
      createdAt: now,
      lastActiveAt: now,
      idleExpiresAt: later,
      absoluteExpiresAt: later,
      rememberMe: false,
      device: { browser: 'Safari', os: 'macOS', platform: 'desktop' },
      deviceName: null,
      firstSeenAt: now,
      ip: '192.0.2.1',
      authMethods: ['password'],
      authenticatedAt: now,
    },
  ],
  page,
  pageSize: 20,
  total: 25,
});

const users: AdminUserListResponse = {
  users: [{ ...grace, role: 'user', isDisabled: false, hasSecondFactor: false, sessionCount: 1, createdAt: now }],
};

const store: StoreHealthResponse = {
  storedSessions: 3,
  anonymousSessions: 1,
  pendingSignIns: 0,
  expiredNotReaped: 0,
  ttlIndex: { present: true, expireAfterSeconds: 0 },
  userIndex: { present: true },
  topUsers: [],
  recentReplays: [],
};

function api(role: 'admin' | 'user') {
  return stubApi({
    'GET /api/auth/me': () => json(meResponse({ role })),
    'GET /api/sessions': () => json(sessionList()),
    'GET /api/sessions/current': () => json(currentSession()),
    'GET /api/activity': () => json(activityList()),
    'GET /api/admin/sessions': ({ url }) => json(adminSessions(Number(new URL(url, 'http://x').searchParams.get('page')))),
    'GET /api/admin/users': () => json(users),
    'GET /api/admin/store': () => json(store),
    'DELETE /api/admin/users/65f0c0ffee0000000000000b/sessions': () => json({ revoked: 1 }),
  });
}

describe('admin area', () => {
  it('is not shown to someone who is not an administrator', async () => {
    const { calls } = api('user');
    renderApp('/admin');

    expect(await screen.findByRole('heading', { level: 1, name: 'Not allowed' })).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Admin' })).toBeNull();
    expect(calls.some((call) => call.path.startsWith('/api/admin'))).toBe(false);
  });

  it('lists sessions with pagination, users and store health for an administrator', async () => {
    const { calls } = api('admin');
    renderApp('/admin');

    expect(await screen.findByRole('button', { name: 'Revoke session of grace@example.com on Safari on macOS' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Admin' })).toBeTruthy();
    expect(screen.getByRole('heading', { level: 2, name: 'Users' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Disable grace@example.com' })).toBeTruthy();
    expect(screen.getByText(/Should be 0/)).toBeTruthy();

    const user = userEvent.setup();
    expect((screen.getByRole('button', { name: 'Previous' }) as HTMLButtonElement).disabled).toBe(true);
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await screen.findByText(/Page 2 of 2/);

    await user.click(screen.getByRole('button', { name: 'Revoke all sessions of grace@example.com' }));
    await waitFor(() => expect(calls.some((call) => call.method === 'DELETE')).toBe(true));
    expect(await screen.findByText('Revoked 1 session.')).toBeTruthy();
  });

  it('filters sessions by email', async () => {
    const { calls } = api('admin');
    renderApp('/admin');
    await userEvent.setup().type(await screen.findByLabelText('Filter by email'), 'grace');

    await waitFor(() => expect(calls.some((call) => call.url === '/api/admin/sessions?page=1&pageSize=20&email=grace')).toBe(true));
  });
});

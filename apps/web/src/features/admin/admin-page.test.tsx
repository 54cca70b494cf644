import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { AdminSessionListResponse, AdminUserListResponse, StoreHealthResponse } from '@gatehouse/types/admin';
import { renderApp } from '../../test/render-app';
import { AdminPage } from '../../app/pages';
import { apiError, FakeEventSource, json, stubApi } from '../../test/fake-api';
import { ada, activityList, currentSession, meResponse, sessionList, passkeyList, secondFactorStatus } from '../../test/fixtures';

// The page's code is compiled once up front, so the first test's timeouts measure the app, not the compiler.
beforeAll(() => AdminPage.preload());

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
      assurance: 'aal1',
      signInProvider: null,
      authenticatedAt: now,
      deviceBound: true,
    },
  ],
  page,
  pageSize: 20,
  total: 25,
});

const users: AdminUserListResponse = {
  users: [
    { ...grace, role: 'user', isDisabled: false, hasSecondFactor: false, connections: ['Google', 'Okta'], sessionCount: 1, createdAt: now },
    // The administrator's own account (fixtures' `ada`, signed in as admin).
    {
      id: ada.id,
      name: ada.name,
      email: ada.email,
      role: 'admin',
      isDisabled: false,
      hasSecondFactor: false,
      connections: [],
      sessionCount: 1,
      createdAt: now,
    },
  ],
};

const store: StoreHealthResponse = {
  storedSessions: 3,
  anonymousSessions: 1,
  pendingSignIns: 0,
  expiredNotReaped: 0,
  ttlIndex: { present: true, expireAfterSeconds: 0 },
  userIndex: { present: true },
  deviceBoundSessions: 1,
  topUsers: [],
  recentReplays: [],
};

function api(role: 'admin' | 'user') {
  return stubApi({
    'GET /api/auth/me': () => json(meResponse({ role })),
    'GET /api/sessions': () => json(sessionList()),
    'GET /api/sessions/current': () => json(currentSession()),
    'GET /api/activity': () => json(activityList()),
    'GET /api/account/second-factor': () => json(secondFactorStatus()),
    'GET /api/account/passkeys': () => json(passkeyList()),
    'GET /api/admin/sessions': ({ url }) => json(adminSessions(Number(new URL(url, 'http://x').searchParams.get('page')))),
    'GET /api/admin/users': () => json(users),
    'GET /api/admin/store': () => json(store),
    'DELETE /api/admin/users/65f0c0ffee0000000000000b/sessions': () => json({ revoked: 1 }),
    'POST /api/admin/users/65f0c0ffee0000000000000b/disable': () => json({ user: { ...users.users[0], isDisabled: true, sessionCount: 0 } }),
    'POST /api/admin/users/65f0c0ffee0000000000000b/role': ({ body }) => json({ user: { ...users.users[0], ...(body as object) } }),
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

  it('tells an administrator whose sign-in lacked the second factor how to get in, once, instead of three failures', async () => {
    const refused = () => apiError(403, { code: 'second_factor_required', message: 'A second factor is required.' });
    stubApi({
      'GET /api/auth/me': () => json(meResponse({ role: 'admin' })),
      'GET /api/admin/sessions': refused,
      'GET /api/admin/users': refused,
      'GET /api/admin/store': refused,
    });
    renderApp('/admin');

    const alert = (await screen.findByText(/^The admin area needs/)).closest('p');
    expect(alert?.getAttribute('role')).toBe('alert');
    expect(alert?.textContent).toMatch(/^The admin area needs a sign-in with your second factor\. Sign out and sign in again with your second factor/);
    expect(alert?.textContent).toMatch(/or set one up first on your dashboard if you have none\.$/);
    await waitFor(() => expect(screen.getAllByRole('alert')).toHaveLength(1));
    expect(screen.getByRole('link', { name: 'Go to your dashboard' }).getAttribute('href')).toBe('/');
    expect(screen.queryByRole('heading', { name: 'All sessions' })).toBeNull();
  });

  it('lists sessions with pagination, users and store health for an administrator', async () => {
    const { calls } = api('admin');
    renderApp('/admin');

    expect(await screen.findByRole('button', { name: 'Revoke session of grace@example.com on Safari on macOS' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Admin' })).toBeTruthy();
    expect(screen.getByRole('heading', { level: 2, name: 'Users' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Disable grace@example.com' })).toBeTruthy();
    expect(screen.getByText('Connected: Google and Okta')).toBeTruthy();
    expect(screen.getByText(/Should be 0/)).toBeTruthy();

    const user = userEvent.setup();
    expect((screen.getByRole('button', { name: 'Previous' }) as HTMLButtonElement).disabled).toBe(true);
    await user.click(screen.getByRole('button', { name: 'Next' }));
    await screen.findByText(/Page 2 of 2/);

    await user.click(screen.getByRole('button', { name: 'Revoke all sessions of grace@example.com' }));
    const dialog = await screen.findByRole('alertdialog', { name: 'Revoke every session of grace@example.com?' });
    expect(calls.some((call) => call.method === 'DELETE')).toBe(false);
    await user.click(within(dialog).getByRole('button', { name: 'Revoke all sessions' }));
    await waitFor(() => expect(calls.some((call) => call.method === 'DELETE')).toBe(true));
    expect(await screen.findByText('Revoked 1 session.')).toBeTruthy();
  });

  it('offers no action on the administrator’s own account that could only fail', async () => {
    api('admin');
    renderApp('/admin');

    expect(await screen.findByRole('button', { name: 'Disable grace@example.com' })).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Change role of grace@example.com' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Disable ada@example.com' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Change role of ada@example.com' })).toBeNull();
  });

  // Escape is the browser's own dialog behaviour, which jsdom lacks: the e2e suite presses it in Chromium.
  it('disables an account only once confirmed', async () => {
    const { calls } = api('admin');
    renderApp('/admin');
    const user = userEvent.setup();
    const disable = await screen.findByRole('button', { name: 'Disable grace@example.com' });

    await user.click(disable);
    const dialog = await screen.findByRole('alertdialog', { name: 'Disable the account of Grace Hopper?' });
    expect(within(dialog).getByText(/grace@example.com is signed out everywhere at once/)).toBeTruthy();
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(calls.some((call) => call.path.endsWith('/disable'))).toBe(false);

    await user.click(disable);
    await user.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Disable account' }));
    await waitFor(() => expect(calls.some((call) => call.path.endsWith('/disable'))).toBe(true));
  });

  it('changes a user’s role from the users list', async () => {
    const { calls } = api('admin');
    renderApp('/admin');
    const user = userEvent.setup();

    await user.click(await screen.findByRole('button', { name: 'Change role of grace@example.com' }));
    const dialog = await screen.findByRole('alertdialog', { name: 'Change the role of Grace Hopper?' });
    expect((within(dialog).getByRole('radio', { name: 'Administrator' }) as HTMLInputElement).checked).toBe(true);
    await user.click(within(dialog).getByRole('radio', { name: 'User' }));
    expect((within(dialog).getByRole('button', { name: 'Change role' }) as HTMLButtonElement).disabled).toBe(true);
    await user.click(within(dialog).getByRole('radio', { name: 'Administrator' }));
    await user.click(within(dialog).getByRole('button', { name: 'Change role' }));

    await waitFor(() => expect(calls.find((call) => call.path.endsWith('/role'))?.body).toEqual({ role: 'admin' }));
    expect(await screen.findByText('grace@example.com is now: Administrator.')).toBeTruthy();
  });

  it('filters sessions by email', async () => {
    const { calls } = api('admin');
    renderApp('/admin');
    await userEvent.setup().type(await screen.findByLabelText('Filter by email'), 'grace');

    await waitFor(() => expect(calls.some((call) => call.url === '/api/admin/sessions?page=1&pageSize=20&email=grace')).toBe(true));
  });
});

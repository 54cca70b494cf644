import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderApp } from '../../test/render-app';
import { apiError, FakeEventSource, json, stubApi, type Handler } from '../../test/fake-api';
import { activityList, currentSession, meResponse, sessionList } from '../../test/fixtures';

beforeEach(() => {
  FakeEventSource.install();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const CHUNK_LOAD_MS = 5000;

function signedInApi(overrides: Record<string, Handler> = {}) {
  return stubApi({
    'GET /api/auth/me': () => json(meResponse()),
    'GET /api/sessions': () => json(sessionList()),
    'GET /api/sessions/current': () => json(currentSession()),
    'GET /api/activity': () => json(activityList()),
    'GET /api/account/second-factor': () => json({ totp: { isEnabled: false, enabledAt: null }, recoveryCodesLeft: 0, isRequiredForAdmin: false }),
    'GET /api/account/passkeys': () => json({ passkeys: [] }),
    ...overrides,
  });
}

describe('dashboard', () => {
  it('has one h1 and a section for each part of the account', async () => {
    signedInApi();
    renderApp('/');
    // The page and, after it, the second-factor sections are chunks of their own: the first test to
    // load them in a run waits for their modules to be transformed.
    await screen.findByText('This device', {}, { timeout: CHUNK_LOAD_MS });
    await screen.findByRole('heading', { level: 2, name: 'Passkeys' }, { timeout: CHUNK_LOAD_MS });

    expect(screen.getAllByRole('heading', { level: 1 })).toHaveLength(1);
    const sections = screen.getAllByRole('heading', { level: 2 }).map((heading) => heading.textContent);
    expect(sections).toEqual(['This session', 'Recent activity', 'All your sessions', 'Session data', 'Change password', 'Two-factor authentication', 'Passkeys']);
    expect(screen.getByRole('heading', { level: 3, name: 'Explain my cookie' })).toBeTruthy();
    expect(screen.getByText('Ada Lovelace')).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Admin' })).toBeNull();
  });

  it('offers to set up an authenticator app and to add a passkey, and shows how each session signed in', async () => {
    signedInApi();
    renderApp('/');
    expect(await screen.findByRole('button', { name: 'Set up an authenticator app' }, { timeout: CHUNK_LOAD_MS })).toBeTruthy();
    expect(await screen.findByRole('button', { name: 'Add a passkey' }, { timeout: CHUNK_LOAD_MS })).toBeTruthy();
    expect(screen.getByText('You have no passkeys yet.')).toBeTruthy();
    expect(screen.getByRole('columnheader', { name: 'Signed in with' })).toBeTruthy();
    expect(screen.getAllByRole('cell', { name: 'Password' })).toHaveLength(2);
  });

  it('names each other session’s Revoke button after its device and revokes it', async () => {
    const { calls } = signedInApi({ 'DELETE /api/sessions/otherHandle000000000000': () => new Response(null, { status: 204 }) });
    renderApp('/');

    await userEvent.setup().click(await screen.findByRole('button', { name: 'Revoke Chrome on Linux session' }));

    await waitFor(() => expect(calls.some((call) => call.method === 'DELETE')).toBe(true));
    expect(screen.queryByRole('button', { name: 'Revoke Firefox on Linux session' })).toBeNull();
  });

  it('asks for the password when an action needs fresh sign-in, then runs the action again', async () => {
    let isFresh = false;
    const { calls } = signedInApi({
      'POST /api/sessions/revoke-others': () =>
        isFresh ? json({ revoked: 2 }) : apiError(403, { code: 'reauth_required', message: 'Confirm your password' }),
      'POST /api/auth/reauth': ({ body }) => {
        isFresh = (body as { password?: string }).password === 'correct horse';
        return isFresh ? json(meResponse()) : apiError(401, { code: 'invalid_credentials', message: 'Wrong password.' });
      },
    });
    renderApp('/');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Sign out everywhere else' }));

    const dialog = await screen.findByRole('dialog', { name: 'Confirm it’s you' });
    await user.type(within(dialog).getByLabelText('Password'), 'correct horse');
    await user.click(within(dialog).getByRole('button', { name: 'Confirm' }));

    expect(await screen.findByText('Signed out 2 other sessions.')).toBeTruthy();
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(calls.filter((call) => call.path === '/api/sessions/revoke-others')).toHaveLength(2);
    expect(screen.queryByRole('heading', { name: 'Signed out' })).toBeNull();
  });

  it('reports how many other sessions a password change ended', async () => {
    signedInApi({ 'POST /api/auth/password': () => json({ endedSessions: 3 }) });
    renderApp('/');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Current password'), 'old password');
    await user.type(screen.getByLabelText('New password'), 'a brand new passphrase');
    await user.click(screen.getByRole('button', { name: 'Change password' }));

    expect(await screen.findByText('Password changed. 3 other sessions were signed out.')).toBeTruthy();
  });

  it('offers Stay signed in when the idle deadline is near', async () => {
    const nearlyIdle = currentSession();
    nearlyIdle.session.idleExpiresAt = new Date(Date.now() + 2 * 60_000).toISOString();
    const { calls } = signedInApi({
      'GET /api/sessions/current': () => json(nearlyIdle),
      'POST /api/sessions/current/extend': () => json({ session: currentSession().session }),
    });
    renderApp('/');

    await userEvent.setup().click(await screen.findByRole('button', { name: 'Stay signed in' }));

    await waitFor(() => expect(screen.queryByRole('button', { name: 'Stay signed in' })).toBeNull());
    expect(calls.some((call) => call.path === '/api/sessions/current/extend')).toBe(true);
  });

  it('highlights a revoked session used again', async () => {
    signedInApi({
      'GET /api/activity': () =>
        json({
          events: [
            {
              id: 'e1',
              type: 'revoked_session_reused',
              at: new Date().toISOString(),
              device: { browser: 'Chrome', os: 'Windows', platform: 'desktop' },
              ip: '203.0.113.9',
              actor: 'system',
              isSuspicious: true,
            },
          ],
        }),
    });
    renderApp('/');

    const label = await screen.findByText('Revoked session used again');
    expect(label.closest('li')?.className).toMatch(/activity-suspicious/);
  });
});

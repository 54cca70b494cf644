import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderApp } from '../../test/render-app';
import { DashboardPage } from '../../app/pages';
import { apiError, FakeEventSource, json, stubApi, type Handler } from '../../test/fake-api';
import { activityList, currentSession, meResponse, sessionList, sessionView, passkeyList, secondFactorStatus } from '../../test/fixtures';

// The page's code is compiled once up front, so the first test's timeouts measure the app, not the compiler;
// the same for the second-factor sections and the password field it loads on demand.
beforeAll(() => Promise.all([DashboardPage.preload(), import('../second-factor/sections'), import('../passwords/password-field')]));

beforeEach(() => {
  FakeEventSource.install();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

function signedInApi(overrides: Record<string, Handler> = {}) {
  return stubApi({
    'GET /api/auth/me': () => json(meResponse()),
    'GET /api/sessions': () => json(sessionList()),
    'GET /api/sessions/current': () => json(currentSession()),
    'GET /api/activity': () => json(activityList()),
    'GET /api/account/second-factor': () => json(secondFactorStatus()),
    'GET /api/account/passkeys': () => json(passkeyList()),
    ...overrides,
  });
}

describe('dashboard', () => {
  it('has one h1 and a section for each part of the account', async () => {
    signedInApi();
    renderApp('/');
    await screen.findByText('This device');
    await screen.findByRole('heading', { level: 2, name: 'Passkeys' });
    await screen.findByRole('heading', { level: 2, name: 'Your data' });
    await screen.findByRole('heading', { level: 2, name: 'Session data' });

    expect(screen.getAllByRole('heading', { level: 1 })).toHaveLength(1);
    const sections = screen.getAllByRole('heading', { level: 2 }).map((heading) => heading.textContent);
    expect(sections).toEqual([
      'This session',
      'Recent activity',
      'All your sessions',
      'Change password',
      'Two-factor authentication',
      'Passkeys',
      'Your data',
      'Session data',
    ]);
    expect(screen.getByText('Ada Lovelace')).toBeTruthy();
    expect(screen.queryByRole('link', { name: 'Admin' })).toBeNull();
  });

  it('offers to set up an authenticator app and to add a passkey', async () => {
    signedInApi();
    renderApp('/');
    expect(await screen.findByRole('button', { name: 'Set up an authenticator app' })).toBeTruthy();
    expect(await screen.findByRole('button', { name: 'Add a passkey' })).toBeTruthy();
    expect(screen.getByText('You have no passkeys yet.')).toBeTruthy();
  });

  it('keeps the stored data and "Explain my cookie" behind "Developer details"', async () => {
    signedInApi();
    renderApp('/');
    const disclosure = await screen.findByRole('button', { name: 'Developer details' });
    expect(disclosure.getAttribute('aria-expanded')).toBe('false');
    expect(screen.queryByRole('heading', { name: 'Explain my cookie' })).toBeNull();

    await userEvent.setup().click(disclosure);

    expect(disclosure.getAttribute('aria-expanded')).toBe('true');
    expect(await screen.findByRole('heading', { level: 3, name: 'Explain my cookie' })).toBeTruthy();
    expect(screen.getByText(/"userId": "65f0c0ffee0000000000000a"/)).toBeTruthy();
  });

  it('says how strongly each session was proven, and explains the level in "Developer details"', async () => {
    const [, other] = sessionList().sessions;
    const twoStep = sessionView({ authMethods: ['password', 'totp'], assurance: 'aal2' });
    const details = currentSession();
    details.session = twoStep;
    signedInApi({
      'GET /api/sessions': () => json({ sessions: [twoStep, other] }),
      'GET /api/sessions/current': () => json(details),
    });
    renderApp('/');

    const thisDevice = (await screen.findByText('This device')).closest('li');
    const otherDevice = screen.getByRole('heading', { level: 3, name: 'Chrome on Linux' }).closest('li');
    if (!thisDevice || !otherDevice) throw new Error('the sessions are not list items');
    expect(within(thisDevice).getByText('Two-step verified')).toBeTruthy();
    expect(within(otherDevice).getByText('One step only')).toBeTruthy();

    await userEvent.setup().click(screen.getByRole('button', { name: 'Developer details' }));
    const level = await screen.findByText('Assurance level');
    expect(level.nextElementSibling?.textContent).toBe('aal2 (two factors)');
  });

  it('says "2 of 5 sessions" when the server caps them, and nothing of the kind when it does not', async () => {
    signedInApi({ 'GET /api/sessions': () => json({ ...sessionList(), cap: { max: 5, policy: 'evict-oldest' } }) });
    const { unmount } = renderApp('/');
    expect(await screen.findByText('2 of 5 sessions')).toBeTruthy();
    unmount();

    signedInApi();
    renderApp('/');
    await screen.findByRole('heading', { level: 3, name: 'Chrome on Linux' });
    expect(screen.queryByText(/ of \d+ sessions/)).toBeNull();
  });

  it('tells sessions apart by name, browser, first sight and sign-in method, with times in words', async () => {
    const [current, other] = sessionList().sessions;
    const named = { sessions: [current, { ...other, deviceName: 'Work laptop', authMethods: ['password', 'totp'] }] };
    signedInApi({ 'GET /api/sessions': () => json(named) });
    renderApp('/');

    const card = (await screen.findByRole('heading', { level: 3, name: 'Work laptop' })).closest('li');
    if (!card) throw new Error('the session is not a list item');
    expect(within(card).getByText('Chrome on Linux')).toBeTruthy();
    expect(within(card).getByText('Password and Authenticator code')).toBeTruthy();
    expect(within(card).getByText('7 days ago')).toBeTruthy();
    expect(within(card).getByText('5 minutes ago').getAttribute('title')).toMatch(/\d{1,2}:\d{2}:\d{2}/);
    expect(within(card).getByRole('button', { name: 'Revoke Work laptop session' })).toBeTruthy();
  });

  it('renames the browser a session runs in', async () => {
    const { calls } = signedInApi({
      'PATCH /api/sessions/otherHandle000000000000': ({ body }) => json({ session: { ...sessionList().sessions[1], ...(body as object) } }),
    });
    renderApp('/');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Rename Chrome on Linux' }));
    const field = await screen.findByLabelText('Device name');
    await user.type(field, '  Kitchen tablet ');
    await user.click(screen.getByRole('button', { name: 'Save' }));

    await waitFor(() => expect(calls.find((call) => call.method === 'PATCH')?.body).toEqual({ deviceName: 'Kitchen tablet' }));
    await waitFor(() => expect(screen.queryByLabelText('Device name')).toBeNull());
  });

  it('names each other session’s Revoke button after its device and revokes it once confirmed', async () => {
    const { calls } = signedInApi({ 'DELETE /api/sessions/otherHandle000000000000': () => new Response(null, { status: 204 }) });
    renderApp('/');
    const user = userEvent.setup();
    const revoke = await screen.findByRole('button', { name: 'Revoke Chrome on Linux session' });

    await user.click(revoke);
    const dialog = await screen.findByRole('alertdialog', { name: 'Revoke the session on Chrome on Linux?' });
    expect(calls.some((call) => call.method === 'DELETE')).toBe(false);
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' }));
    await user.click(within(dialog).getByRole('button', { name: 'Revoke session' }));

    await waitFor(() => expect(calls.some((call) => call.method === 'DELETE')).toBe(true));
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Revoke Firefox on Linux session' })).toBeNull();
  });

  it('does nothing when a confirmation is cancelled, and gives focus back to the button', async () => {
    const { calls } = signedInApi();
    renderApp('/');
    const user = userEvent.setup();
    const revoke = await screen.findByRole('button', { name: 'Revoke Chrome on Linux session' });

    await user.click(revoke);
    const dialog = await screen.findByRole('alertdialog');
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));

    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(document.activeElement).toBe(revoke);
    expect(calls.some((call) => call.method === 'DELETE')).toBe(false);
  });

  it('asks for the password when an action needs fresh sign-in, then runs the action again', async () => {
    let isFresh = false;
    const { calls } = signedInApi({
      'POST /api/sessions/revoke-others': () => (isFresh ? json({ revoked: 2 }) : apiError(403, { code: 'reauth_required', message: 'Confirm your password' })),
      'POST /api/auth/reauth': ({ body }) => {
        isFresh = (body as { password?: string }).password === 'correct horse';
        return isFresh ? json(meResponse()) : apiError(401, { code: 'invalid_credentials', message: 'Wrong password.' });
      },
    });
    renderApp('/');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Sign out everywhere else' }));
    const confirmation = await screen.findByRole('alertdialog', { name: 'Sign out everywhere else?' });
    expect(within(confirmation).getByText('Your 1 other session is signed out at once. This device stays signed in.')).toBeTruthy();
    await user.click(within(confirmation).getByRole('button', { name: 'Sign out everywhere else' }));

    const dialog = await screen.findByRole('dialog', { name: 'Confirm it’s you' });
    await user.type(within(dialog).getByLabelText('Password'), 'correct horse');
    await user.click(within(dialog).getByRole('button', { name: 'Confirm' }));

    expect(await screen.findByText('Signed out 2 other sessions.')).toBeTruthy();
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(calls.filter((call) => call.path === '/api/sessions/revoke-others')).toHaveLength(2);
    expect(screen.queryByRole('heading', { name: 'Signed out' })).toBeNull();
  });

  it('says a wrong current password once, by its field, and moves focus there', async () => {
    signedInApi({
      'POST /api/auth/password': () => apiError(401, { code: 'invalid_credentials', message: 'The email or password is incorrect.' }),
    });
    renderApp('/');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Current password'), 'not it');
    await user.type(screen.getByLabelText('New password'), 'a brand new passphrase');
    await user.click(screen.getByRole('button', { name: 'Change password' }));

    const current = screen.getByLabelText('Current password');
    await waitFor(() => expect(current.getAttribute('aria-invalid')).toBe('true'));
    expect(document.getElementById(current.getAttribute('aria-describedby') ?? '')?.textContent).toBe('The current password is not correct.');
    expect(screen.queryByText(/email or password/i)).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(current));
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

  it('offers the account’s whole activity as a download, NDJSON or CSV', async () => {
    signedInApi();
    renderApp('/');
    const ndjson = await screen.findByRole('link', { name: 'Download activity' });
    expect(ndjson.getAttribute('href')).toBe('/api/activity/export?format=ndjson');
    expect(screen.getByRole('link', { name: 'Download activity as CSV' }).getAttribute('href')).toBe('/api/activity/export?format=csv');
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderApp } from '../../test/render-app';
import { apiError, FakeEventSource, json, noContent, stubApi } from '../../test/fake-api';
import { activityList, currentSession, meResponse, passkeyList, secondFactorStatus, sessionList } from '../../test/fixtures';

beforeEach(() => {
  FakeEventSource.install();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const signedOut = () => apiError(401, { code: 'unauthenticated', message: 'Sign in to continue.' });
const invalidToken = () =>
  apiError(400, { code: 'invalid_token', message: 'This link is no longer valid: it was already used, has expired, or a newer link replaced it.' });
const TOKEN = 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG';
/** The second step and the dashboard are chunks loaded on demand. */
const CHUNK_LOAD_MS = 5000;

describe('forgot password', () => {
  it('is linked from the sign-in page, sends the address, and shows the same answer whatever it is', async () => {
    const { calls } = stubApi({
      'GET /api/auth/me': signedOut,
      'POST /api/auth/password/forgot': () =>
        json({ message: 'If an account exists for that address, we sent a link to set a new password. It works for 30 minutes.' }, 202),
    });
    const { location } = renderApp('/login');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('link', { name: 'Forgot password?' }));
    await screen.findByRole('heading', { name: 'Forgot password' });
    await user.type(screen.getByLabelText('Email'), 'Ada@Example.com');
    await user.click(screen.getByRole('button', { name: 'Send reset link' }));

    const answer = await screen.findByText(/If an account exists for that address, we sent a link/);
    expect(answer.getAttribute('role')).toBe('status');
    expect(location.pathname).toBe('/forgot-password');
    expect(calls.find((call) => call.path === '/api/auth/password/forgot')?.body).toEqual({ email: 'ada@example.com' });
  });

  it('says how long to wait when the server throttles', async () => {
    stubApi({
      'GET /api/auth/me': signedOut,
      'POST /api/auth/password/forgot': () =>
        apiError(429, { code: 'too_many_requests', message: 'Too many attempts. Try again later.' }, { 'Retry-After': '600' }),
    });
    renderApp('/forgot-password');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Email'), 'ada@example.com');
    await user.click(screen.getByRole('button', { name: 'Send reset link' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Too many attempts. Try again in about 10 minutes.');
  });
});

describe('reset password page', () => {
  it('checks the link, takes it out of the address bar, sets the new password and sends the person to sign in', async () => {
    const { calls } = stubApi({
      'GET /api/auth/me': signedOut,
      'POST /api/auth/password/reset/check': () => json({ email: 'ada@example.com', expiresAt: new Date(Date.now() + 60_000).toISOString() }),
      'POST /api/auth/password/reset': () => json({ endedSessions: 2 }),
    });
    const { location } = renderApp(`/reset-password?token=${TOKEN}`);
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('New password'), 'a brand new passphrase');
    expect(screen.getByText('ada@example.com')).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Set new password' }));

    expect((await screen.findByText(/every session of your account was signed out \(2\)/)).getAttribute('role')).toBe('status');
    expect(calls.find((call) => call.path === '/api/auth/password/reset')?.body).toEqual({ token: TOKEN, password: 'a brand new passphrase' });
    expect(calls.find((call) => call.path === '/api/auth/password/reset/check')?.body).toEqual({ token: TOKEN });
    await user.click(screen.getByRole('link', { name: 'Sign in' }));
    await waitFor(() => expect(location.pathname).toBe('/login'));
  });

  it('a used, expired or replaced link shows a clear page with a way to ask for a new one', async () => {
    stubApi({ 'GET /api/auth/me': signedOut, 'POST /api/auth/password/reset/check': invalidToken });
    renderApp(`/reset-password?token=${TOKEN}`);
    expect(await screen.findByRole('heading', { name: 'This link no longer works' })).toBeTruthy();
    expect(screen.getByRole('alert').textContent).toMatch(/already used, has expired, or a newer link replaced it/);
    expect(screen.getByRole('link', { name: 'Ask for a new link' }).getAttribute('href')).toBe('/forgot-password');
  });

  it('a password the server refuses is shown by its field, and the link keeps working', async () => {
    stubApi({
      'GET /api/auth/me': signedOut,
      'POST /api/auth/password/reset/check': () => json({ email: 'ada@example.com', expiresAt: new Date().toISOString() }),
      'POST /api/auth/password/reset': () =>
        apiError(400, { code: 'validation_failed', message: 'Some fields are not valid.', fields: { password: 'This password is too common.' } }),
    });
    renderApp(`/reset-password?token=${TOKEN}`);
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('New password'), 'password123');
    await user.click(screen.getByRole('button', { name: 'Set new password' }));
    await waitFor(() => expect(screen.getByLabelText('New password').getAttribute('aria-invalid')).toBe('true'));
    expect(screen.getByText('This password is too common.')).toBeTruthy();
  });
});

describe('registration and verification', () => {
  it('registration shows "Check your inbox" and signs in right away when asked', async () => {
    let isSignedIn = false;
    const { calls } = stubApi({
      'GET /api/auth/me': () => (isSignedIn ? json(meResponse({ emailVerified: false })) : signedOut()),
      'POST /api/auth/register': () => json({ mail: 'sent', message: 'Check your inbox.' }, 202),
      'POST /api/auth/login': () => {
        isSignedIn = true;
        return json({ user: meResponse().user });
      },
      'GET /api/sessions': () => json(sessionList()),
      'GET /api/sessions/current': () => json(currentSession()),
      'GET /api/activity': () => json(activityList()),
    });
    const { location } = renderApp('/register');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Name'), 'Ada Lovelace');
    await user.type(screen.getByLabelText('Email'), 'ada@example.com');
    await user.type(screen.getByLabelText('Password'), 'correct horse battery');
    await user.click(screen.getByRole('button', { name: 'Create account' }));

    expect(await screen.findByRole('heading', { name: 'Check your inbox' })).toBeTruthy();
    expect(screen.getByText(/We sent a mail to/).textContent).toMatch(/We sent a mail to ada@example.com/);
    await user.click(screen.getByRole('button', { name: 'Sign in now' }));
    await waitFor(() => expect(location.pathname).toBe('/'));
    expect(calls.find((call) => call.path === '/api/auth/login')?.body).toEqual({ email: 'ada@example.com', password: 'correct horse battery' });
    // Unconfirmed accounts may sign in, with a banner until the address is confirmed.
    const banner = (await screen.findByText(/Confirm your address: follow the link/)).closest('p');
    expect(banner?.textContent).toMatch(/ada@example.com/);
    expect(banner?.className).toMatch(/banner/);
    expect(screen.getByText('Not verified')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Send a new link' }).getAttribute('href')).toBe('/account/email');
  });

  it('the verification link is followed once, signs in and lands on the dashboard', async () => {
    let isSignedIn = false;
    const { calls } = stubApi({
      'GET /api/auth/me': () => (isSignedIn ? json(meResponse({ emailVerified: true })) : signedOut()),
      'POST /api/auth/email/verify': () => {
        isSignedIn = true;
        return json({ outcome: 'verified', user: meResponse().user, isSignedIn: true, secondFactorRequired: false, methods: [] });
      },
      'GET /api/sessions': () => json(sessionList()),
      'GET /api/sessions/current': () => json(currentSession()),
      'GET /api/activity': () => json(activityList()),
    });
    const { location } = renderApp(`/verify-email?token=${TOKEN}`);
    await waitFor(() => expect(location.pathname).toBe('/'));
    expect(await screen.findByText('Verified')).toBeTruthy();
    expect(calls.filter((call) => call.path === '/api/auth/email/verify')).toHaveLength(1);
  });

  it('for an account with a second factor, the link leads to the same second step as a password sign-in, then to the dashboard', async () => {
    let isSignedIn = false;
    const { calls } = stubApi({
      'GET /api/auth/me': () => (isSignedIn ? json(meResponse({ emailVerified: true })) : signedOut()),
      'POST /api/auth/email/verify': () =>
        json({ outcome: 'verified', user: meResponse().user, isSignedIn: false, secondFactorRequired: true, methods: ['totp', 'recovery_code'] }),
      'POST /api/auth/login/second-factor': () => {
        isSignedIn = true;
        return json({ user: meResponse().user });
      },
      'GET /api/sessions': () => json(sessionList()),
      'GET /api/sessions/current': () => json(currentSession()),
      'GET /api/activity': () => json(activityList()),
      'GET /api/account/second-factor': () => json(secondFactorStatus()),
      'GET /api/account/passkeys': () => json(passkeyList()),
    });
    const { location } = renderApp(`/verify-email?token=${TOKEN}`);
    const user = userEvent.setup();
    const code = await screen.findByLabelText('Authentication code', {}, { timeout: CHUNK_LOAD_MS });
    expect(screen.getByRole('heading', { level: 1, name: 'Two-step sign-in' })).toBeTruthy();
    await user.type(code, '123456');
    await user.click(screen.getByRole('button', { name: 'Verify' }));

    await waitFor(() => expect(location.pathname).toBe('/'));
    expect(await screen.findByText('Verified', {}, { timeout: CHUNK_LOAD_MS })).toBeTruthy();
    expect(calls.find((call) => call.path === '/api/auth/login/second-factor')?.body).toEqual({ code: '123456' });
    expect(calls.filter((call) => call.path === '/api/auth/email/verify')).toHaveLength(1);
  });

  it('in a browser signed in to another account, says which and follows the link again only after signing out', async () => {
    let signedInAs: 'grace' | 'nobody' | 'ada' = 'grace';
    const { calls } = stubApi({
      'GET /api/auth/me': () =>
        signedInAs === 'nobody' ? signedOut() : json(meResponse(signedInAs === 'grace' ? { email: 'grace@example.com', name: 'Grace Hopper' } : {})),
      'POST /api/auth/email/verify': () => {
        if (signedInAs === 'grace') {
          return apiError(409, {
            code: 'signed_in_as_other',
            message: 'This browser is signed in to another account.',
            signedInAs: 'grace@example.com',
          });
        }
        signedInAs = 'ada';
        return json({ outcome: 'verified', user: meResponse().user, isSignedIn: true, secondFactorRequired: false, methods: [] });
      },
      'POST /api/auth/logout': () => {
        signedInAs = 'nobody';
        return noContent();
      },
      'GET /api/sessions': () => json(sessionList()),
      'GET /api/sessions/current': () => json(currentSession()),
      'GET /api/activity': () => json(activityList()),
      'GET /api/account/second-factor': () => json(secondFactorStatus()),
      'GET /api/account/passkeys': () => json(passkeyList()),
    });
    const { location } = renderApp(`/verify-email?token=${TOKEN}`);
    const user = userEvent.setup();

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('This browser is signed in as grace@example.com. Sign out first to confirm this link.');
    expect(calls.some((call) => call.path === '/api/auth/logout')).toBe(false);
    await user.click(screen.getByRole('button', { name: 'Sign out and continue' }));

    await waitFor(() => expect(location.pathname).toBe('/'));
    expect(await screen.findByRole('heading', { level: 1, name: 'Hello, Ada Lovelace' }, { timeout: CHUNK_LOAD_MS })).toBeTruthy();
    const order = calls.filter((call) => call.method === 'POST').map((call) => call.path);
    expect(order).toEqual(['/api/auth/email/verify', '/api/auth/logout', '/api/auth/email/verify']);
    expect(calls.filter((call) => call.path === '/api/auth/email/verify').map((call) => call.body)).toEqual([{ token: TOKEN }, { token: TOKEN }]);
  });

  it('a dead verification link shows the clear page', async () => {
    stubApi({ 'GET /api/auth/me': signedOut, 'POST /api/auth/email/verify': invalidToken });
    renderApp(`/verify-email?token=${TOKEN}`);
    expect(await screen.findByRole('heading', { name: 'This link no longer works' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Sign in to send a new link' })).toBeTruthy();
  });
});

describe('calling off a change of address from the old address', () => {
  it('follows the link once (StrictMode too), takes it out of the address bar and shows what the server says', async () => {
    const { calls } = stubApi({
      'GET /api/auth/me': signedOut,
      'POST /api/auth/email/change/cancel': () => json({ message: 'The change of address was called off. Your account keeps ada@example.com.' }),
    });
    const { location } = renderApp(`/cancel-email-change?token=${TOKEN}`, { isStrict: true });

    const status = await screen.findByText('The change of address was called off. Your account keeps ada@example.com.');
    expect(status.getAttribute('role')).toBe('status');
    expect(screen.getByRole('heading', { level: 1, name: 'Address change' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Sign in' }).getAttribute('href')).toBe('/login');
    expect(location.pathname).toBe('/cancel-email-change');
    expect(calls.filter((call) => call.path === '/api/auth/email/change/cancel').map((call) => call.body)).toEqual([{ token: TOKEN }]);
  });

  it('a used or expired link shows the clear page', async () => {
    stubApi({ 'GET /api/auth/me': signedOut, 'POST /api/auth/email/change/cancel': invalidToken });
    renderApp(`/cancel-email-change?token=${TOKEN}`);
    expect(await screen.findByRole('heading', { name: 'This link no longer works' })).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Sign in' })).toBeTruthy();
  });
});

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderApp } from '../../test/render-app';
import { apiError, FakeEventSource, json, noContent, stubApi } from '../../test/fake-api';
import { activityList, currentSession, meResponse, sessionView, passkeyList, secondFactorStatus } from '../../test/fixtures';

beforeEach(() => {
  FakeEventSource.install();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

/** The second step, the dashboard and its second-factor sections are chunks loaded on demand. */
const CHUNK_LOAD_MS = 5000;

const signedOut = () => apiError(401, { code: 'unauthenticated', message: 'Sign in to continue.' });

async function passwordStep() {
  const user = userEvent.setup();
  await user.type(await screen.findByLabelText('Email'), 'ada@example.com');
  await user.type(screen.getByLabelText('Password'), 'correct horse');
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
  return user;
}

describe('two-step sign-in', () => {
  it('asks for the authentication code after the password, then shows the dashboard with how the session signed in', async () => {
    let isSignedIn = false;
    const { calls } = stubApi({
      'GET /api/auth/me': () => (isSignedIn ? json(meResponse()) : signedOut()),
      'POST /api/auth/login': () => json({ secondFactorRequired: true, methods: ['totp', 'recovery_code'] }),
      'POST /api/auth/login/second-factor': ({ body }) => {
        if ((body as { code: string }).code !== '123456')
          return apiError(401, { code: 'invalid_code', message: 'That code is not correct, or was already used.' });
        isSignedIn = true;
        return json({ user: meResponse().user });
      },
      'GET /api/sessions': () => json({ sessions: [sessionView({ authMethods: ['password', 'totp'] })] }),
      'GET /api/sessions/current': () => json(currentSession()),
      'GET /api/activity': () => json(activityList()),
      'GET /api/account/second-factor': () =>
        json(secondFactorStatus({ totp: { isEnabled: true, enabledAt: new Date().toISOString() }, recoveryCodesLeft: 10 })),
      'GET /api/account/passkeys': () => json(passkeyList()),
    });
    const { location } = renderApp('/login');
    const user = await passwordStep();

    const code = await screen.findByLabelText('Authentication code', {}, { timeout: CHUNK_LOAD_MS });
    expect(screen.queryByRole('button', { name: 'Use a passkey' })).toBeNull();
    await user.type(code, '000000');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    expect((await screen.findByRole('alert')).textContent).toMatch(/^That code does not work\./);

    await user.clear(code);
    await user.type(code, '123456');
    await user.click(screen.getByRole('button', { name: 'Verify' }));
    await screen.findByRole('heading', { level: 2, name: 'This session' }, { timeout: CHUNK_LOAD_MS });
    // The dashboard can paint a frame before the router's location settles on a loaded machine.
    await waitFor(() => expect(location.pathname).toBe('/'));
    expect(calls.filter((call) => call.path === '/api/auth/login/second-factor').map((call) => call.body)).toEqual([{ code: '000000' }, { code: '123456' }]);
    expect(await screen.findByText('Password and Authenticator code')).toBeTruthy();
    expect(await screen.findByRole('heading', { level: 2, name: 'Two-factor authentication' }, { timeout: CHUNK_LOAD_MS })).toBeTruthy();
    expect(await screen.findByRole('heading', { level: 2, name: 'Passkeys' }, { timeout: CHUNK_LOAD_MS })).toBeTruthy();
  });

  it('offers a passkey when the account has one, and goes back to the password form on request', async () => {
    const { calls } = stubApi({
      'GET /api/auth/me': signedOut,
      'POST /api/auth/login': () => json({ secondFactorRequired: true, methods: ['passkey'] }),
      'POST /api/auth/logout': noContent,
    });
    renderApp('/login');
    const user = await passwordStep();
    expect(await screen.findByRole('button', { name: 'Use a passkey' }, { timeout: CHUNK_LOAD_MS })).toBeTruthy();
    expect(screen.queryByLabelText('Authentication code')).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Use another account' }));
    await screen.findByRole('button', { name: 'Sign in' });
    await waitFor(() => expect(calls.some((call) => call.path === '/api/auth/logout')).toBe(true));
  });

  it('the sign-in page offers "Sign in with a passkey" and lets the browser offer passkeys in the email field', async () => {
    stubApi({ 'GET /api/auth/me': signedOut });
    renderApp('/login');
    expect(await screen.findByRole('button', { name: 'Sign in with a passkey' })).toBeTruthy();
    expect(screen.getByLabelText('Email').getAttribute('autocomplete')).toBe('username webauthn');
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import type { OidcErrorCode } from '@gatehouse/types/oidc';
import { renderApp } from '../../test/render-app';
import { apiError, json, stubApi } from '../../test/fake-api';

afterEach(() => {
  vi.unstubAllGlobals();
});

/** The sign-in page, its provider part and the second step are chunks loaded on demand. */
const CHUNK_LOAD_MS = 5000;

const signedOut = () => apiError(401, { code: 'unauthenticated', message: 'Sign in to continue.' });
const providers = () =>
  json({
    providers: [
      { id: 'test-idp', name: 'Test IdP' },
      { id: 'google', name: 'Google' },
    ],
  });

describe('sign-in with a provider', () => {
  it('offers "Sign in with …" for each provider, as buttons (links the whole page follows to the API)', async () => {
    stubApi({ 'GET /api/auth/me': signedOut, 'GET /api/auth/oidc/providers': providers });
    renderApp('/login');

    const testIdp = await screen.findByRole('button', { name: 'Sign in with Test IdP' }, { timeout: CHUNK_LOAD_MS });
    expect(testIdp.getAttribute('href')).toBe('/api/auth/oidc/test-idp/start');
    expect(screen.getByRole('button', { name: 'Sign in with Google' }).getAttribute('href')).toBe('/api/auth/oidc/google/start');
    expect(screen.getByText('or')).toBeTruthy();
  });

  it('shows neither buttons nor the divider when no provider is configured', async () => {
    const { calls } = stubApi({ 'GET /api/auth/me': signedOut, 'GET /api/auth/oidc/providers': () => json({ providers: [] }) });
    renderApp('/login');

    await screen.findByRole('button', { name: 'Sign in' });
    await waitFor(() => expect(calls.some((call) => call.path === '/api/auth/oidc/providers')).toBe(true));
    expect(screen.queryByRole('button', { name: /^Sign in with (?!a passkey)/ })).toBeNull();
    expect(screen.queryByText('or')).toBeNull();
  });

  const MESSAGES: Record<OidcErrorCode, string> = {
    denied: 'Nothing happened: Test IdP cancelled or refused the request. Try again, or sign in another way.',
    invalid_state: 'That request to Test IdP expired or did not start in this browser. Try again.',
    exchange_failed: 'The answer from Test IdP could not be verified. Try again.',
    unavailable: 'Gatehouse could not reach Test IdP. Try again in a moment, or sign in another way.',
    unverified_email: 'Test IdP did not confirm your email address, so no account was created and nothing was connected.',
    account_exists:
      'An account with this address already exists. Sign in with your password, then connect Test IdP from your dashboard under Connected accounts.',
    already_linked: 'That Test IdP account is already connected to another Gatehouse account.',
    not_signed_in: 'You were signed out before Test IdP answered. Sign in, then try again.',
    account_disabled: 'This account has been disabled. Contact an administrator.',
    wrong_account: 'That Test IdP account is not the one connected to this account. Try again with the Test IdP account you connected.',
    session_limit_reached:
      'This account is signed in on as many devices as it may be. Sign in with your password to choose a session to end, or sign out on another device.',
  };

  for (const [code, message] of Object.entries(MESSAGES)) {
    it(`says why it did not work, naming the provider, after ?oidc_error=${code}`, async () => {
      stubApi({ 'GET /api/auth/me': signedOut, 'GET /api/auth/oidc/providers': providers });
      const { location } = renderApp(`/login?oidc_error=${code}&provider=test-idp`);

      const alert = await screen.findByRole('alert', {}, { timeout: CHUNK_LOAD_MS });
      expect(alert.textContent).toBe(message);
      await waitFor(() => expect(document.activeElement).toBe(alert));
      expect(location.pathname).toBe('/login');
    });
  }

  it('says something sensible for a code this build does not know, and for a provider not in the list', async () => {
    stubApi({ 'GET /api/auth/me': signedOut, 'GET /api/auth/oidc/providers': providers });
    renderApp('/login?oidc_error=toString&provider=okta');
    expect((await screen.findByRole('alert', {}, { timeout: CHUNK_LOAD_MS })).textContent).toBe('That did not work with okta. Try again.');
  });

  it('shows the second step a provider sign-in left pending (?second_step=1)', async () => {
    const { calls } = stubApi({
      'GET /api/auth/me': signedOut,
      'GET /api/auth/oidc/providers': providers,
      'GET /api/auth/login/second-factor': () => json({ secondFactorRequired: true, methods: ['totp', 'recovery_code'] }),
    });
    renderApp('/login?second_step=1');

    expect(await screen.findByLabelText('Authentication code', {}, { timeout: CHUNK_LOAD_MS })).toBeTruthy();
    expect(screen.getByRole('heading', { level: 1 }).textContent).not.toBe('Sign in');
    expect(calls.filter((call) => call.path === '/api/auth/login/second-factor')).toHaveLength(1);
  });

  it('shows the sign-in form when there is no pending sign-in after all', async () => {
    stubApi({
      'GET /api/auth/me': signedOut,
      'GET /api/auth/oidc/providers': providers,
      'GET /api/auth/login/second-factor': () => apiError(401, { code: 'unauthenticated', message: 'No sign-in is waiting.' }),
    });
    renderApp('/login?second_step=1');

    expect(await screen.findByRole('button', { name: 'Sign in with Test IdP' }, { timeout: CHUNK_LOAD_MS })).toBeTruthy();
    expect(screen.getByRole('heading', { level: 1, name: 'Sign in' })).toBeTruthy();
    expect(screen.queryByLabelText('Authentication code')).toBeNull();
  });
});

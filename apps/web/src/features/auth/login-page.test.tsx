import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { SessionLimitDetails } from '@gatehouse/types/sessions';
import { renderApp } from '../../test/render-app';
import { apiError, json, stubApi } from '../../test/fake-api';
import { activityList, currentSession, meResponse, sessionList, passkeyList, secondFactorStatus } from '../../test/fixtures';

afterEach(() => {
  vi.unstubAllGlobals();
});

const signedOut = () => apiError(401, { code: 'unauthenticated', message: 'Sign in to continue' });

async function fillAndSubmit(email: string, password: string) {
  const user = userEvent.setup();
  await user.type(await screen.findByLabelText('Email'), email);
  await user.type(screen.getByLabelText('Password'), password);
  await user.click(screen.getByRole('button', { name: 'Sign in' }));
  return user;
}

describe('login page', () => {
  it('shows the field errors the API returns next to their fields, once, and moves focus to the first of them', async () => {
    stubApi({
      'GET /api/auth/me': signedOut,
      'POST /api/auth/login': () =>
        apiError(400, { code: 'validation_failed', message: 'Invalid request', fields: { email: 'This email is not allowed here' } }),
    });
    renderApp('/login');
    await fillAndSubmit('ada@example.com', 'secret-password');

    const email = screen.getByLabelText('Email');
    await waitFor(() => expect(email.getAttribute('aria-invalid')).toBe('true'));
    const describedBy = email.getAttribute('aria-describedby') ?? '';
    expect(document.getElementById(describedBy)?.textContent).toBe('This email is not allowed here');
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByLabelText('Password').getAttribute('aria-invalid')).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(email));
  });

  it('shows a wrong password in the alert, in the catalogue’s words, and moves focus to it', async () => {
    stubApi({
      'GET /api/auth/me': signedOut,
      'POST /api/auth/login': () => apiError(401, { code: 'invalid_credentials', message: 'Whatever the API says.' }),
    });
    renderApp('/login');
    await fillAndSubmit('ada@example.com', 'wrong-password');

    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toBe('The email or password is incorrect.');
    await waitFor(() => expect(document.activeElement).toBe(alert));
    expect(screen.queryByRole('heading', { name: 'Signed out' })).toBeNull();
  });

  it('at the session cap lists the sessions, and ending one finishes the sign-in with the ticket', async () => {
    let isSignedIn = false;
    const sessionLimit: SessionLimitDetails = {
      max: 1,
      ticket: 'a-ticket-from-the-refusal-0123456789abcdef',
      expiresAt: new Date(Date.now() + 300_000).toISOString(),
      sessions: [
        {
          handle: 'otherHandle000000000000',
          device: { browser: 'Chrome', os: 'Linux', platform: 'desktop' },
          ip: '10.0.0.2',
          createdAt: new Date(Date.now() - 3_600_000).toISOString(),
          lastActiveAt: new Date(Date.now() - 300_000).toISOString(),
        },
      ],
    };
    const { calls } = stubApi({
      'GET /api/auth/me': () => (isSignedIn ? json(meResponse()) : signedOut()),
      'POST /api/auth/login': () => apiError(409, { code: 'session_limit_reached', message: 'This account is signed in on 1 device already.', sessionLimit }),
      'POST /api/auth/login/session-limit': () => {
        isSignedIn = true;
        return json({ user: meResponse().user });
      },
      'GET /api/sessions': () => json(sessionList()),
      'GET /api/sessions/current': () => json(currentSession()),
      'GET /api/activity': () => json(activityList()),
      'GET /api/account/second-factor': () => json(secondFactorStatus()),
      'GET /api/account/passkeys': () => json(passkeyList()),
    });
    const { location } = renderApp('/login');
    const user = await fillAndSubmit('ada@example.com', 'correct horse');

    expect(await screen.findByRole('heading', { level: 2, name: 'Too many sessions' })).toBeTruthy();
    expect(screen.getByText(/may be signed in on 1 device at a time/)).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'End the session on Chrome on Linux and sign in' }));

    await screen.findByRole('heading', { level: 2, name: 'This session' });
    expect(location.pathname).toBe('/');
    expect(calls.find((call) => call.path === '/api/auth/login/session-limit')?.body).toEqual({
      ticket: sessionLimit.ticket,
      endSession: 'otherHandle000000000000',
    });
  });

  it('says once how long to wait after too many attempts', async () => {
    stubApi({
      'GET /api/auth/me': signedOut,
      'POST /api/auth/login': () => apiError(429, { code: 'too_many_requests', message: 'Too many attempts. Try again later.' }, { 'Retry-After': '3600' }),
    });
    renderApp('/login');
    await fillAndSubmit('ada@example.com', 'wrong-password');

    expect((await screen.findByRole('alert')).textContent).toBe('Too many attempts. Try again in about 1 hour.');
  });

  it('checks the form before sending it and moves focus to the first field to fix', async () => {
    const { calls } = stubApi({ 'GET /api/auth/me': signedOut });
    renderApp('/login');
    await fillAndSubmit('not-an-email', 'x');

    const email = screen.getByLabelText('Email');
    expect(email.getAttribute('aria-invalid')).toBe('true');
    expect(document.getElementById(email.getAttribute('aria-describedby') ?? '')?.textContent).toBe('Enter a valid email address');
    expect(document.activeElement).toBe(email);
    expect(calls.some((call) => call.path === '/api/auth/login')).toBe(false);
  });

  it('signs in with remember me and moves on to the dashboard', async () => {
    let isSignedIn = false;
    const { calls } = stubApi({
      'GET /api/auth/me': () => (isSignedIn ? json(meResponse()) : signedOut()),
      'POST /api/auth/login': () => {
        isSignedIn = true;
        return json({ user: meResponse().user });
      },
      'GET /api/sessions': () => json(sessionList()),
      'GET /api/sessions/current': () => json(currentSession()),
      'GET /api/activity': () => json(activityList()),
      'GET /api/account/second-factor': () => json(secondFactorStatus()),
      'GET /api/account/passkeys': () => json(passkeyList()),
    });
    const { location } = renderApp('/login');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Email'), 'Ada@Example.com');
    await user.type(screen.getByLabelText('Password'), 'correct horse');
    await user.click(screen.getByRole('checkbox', { name: 'Remember me' }));
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    await screen.findByRole('heading', { level: 2, name: 'This session' });
    expect(location.pathname).toBe('/');
    expect(calls.find((call) => call.path === '/api/auth/login')?.body).toEqual({
      email: 'ada@example.com',
      password: 'correct horse',
      rememberMe: true,
    });
  });
});

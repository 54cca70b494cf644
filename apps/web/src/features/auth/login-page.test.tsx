import { afterEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderApp } from '../../test/render-app';
import { apiError, json, stubApi } from '../../test/fake-api';
import { activityList, currentSession, meResponse, sessionList } from '../../test/fixtures';

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
  it('shows the field errors the API returns next to their fields, and an alert', async () => {
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
    expect(screen.getByRole('alert').textContent).toMatch(/correct the highlighted fields/);
    expect(screen.getByLabelText('Password').getAttribute('aria-invalid')).toBeNull();
  });

  it('shows a wrong password in the alert', async () => {
    stubApi({
      'GET /api/auth/me': signedOut,
      'POST /api/auth/login': () => apiError(401, { code: 'invalid_credentials', message: 'Email or password is incorrect.' }),
    });
    renderApp('/login');
    await fillAndSubmit('ada@example.com', 'wrong-password');

    expect((await screen.findByRole('alert')).textContent).toBe('Email or password is incorrect.');
    expect(screen.queryByRole('heading', { name: 'Signed out' })).toBeNull();
  });

  it('checks the form before sending it', async () => {
    const { calls } = stubApi({ 'GET /api/auth/me': signedOut });
    renderApp('/login');
    await fillAndSubmit('not-an-email', 'x');

    expect(screen.getByLabelText('Email').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByRole('alert')).toBeTruthy();
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

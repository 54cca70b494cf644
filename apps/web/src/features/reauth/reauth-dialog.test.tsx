import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderApp } from '../../test/render-app';
import { DashboardPage } from '../../app/pages';
import { apiError, FakeEventSource, json, stubApi } from '../../test/fake-api';
import { activityList, currentSession, meResponse, passkeyList, secondFactorStatus, sessionList } from '../../test/fixtures';

// The dashboard and the dialog are chunks loaded on demand: compiled once up front, so timeouts measure the app.
beforeAll(() => Promise.all([DashboardPage.preload(), import('./reauth-dialog')]));

beforeEach(() => {
  FakeEventSource.install();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const PASSWORD = 'correct horse';
const CODE = '123456';

/** An account with an authenticator app whose sign-in is too old for "Sign out everywhere else". */
function accountWithAuthenticatorApp() {
  let isFresh = false;
  return stubApi({
    'GET /api/auth/me': () => json(meResponse()),
    'GET /api/sessions': () => json(sessionList()),
    'GET /api/sessions/current': () => json(currentSession()),
    'GET /api/activity': () => json(activityList()),
    'GET /api/account/second-factor': () => json(secondFactorStatus({ totp: { isEnabled: true, enabledAt: new Date().toISOString() }, recoveryCodesLeft: 10 })),
    'GET /api/account/passkeys': () => json(passkeyList()),
    'POST /api/sessions/revoke-others': () => (isFresh ? json({ revoked: 1 }) : apiError(403, { code: 'reauth_required', message: 'Confirm it is you.' })),
    'POST /api/auth/reauth': ({ body }) => {
      const { password, code } = body as { password: string; code?: string };
      if (password !== PASSWORD) return apiError(401, { code: 'invalid_credentials', message: 'Wrong password.' });
      if (code === undefined) return apiError(401, { code: 'second_factor_required', message: 'Enter a code from your authenticator app.' });
      if (code !== CODE) return apiError(401, { code: 'invalid_code', message: 'That code is not correct, or was already used.' });
      isFresh = true;
      return json({ ...meResponse(), session: { ...meResponse().session, assurance: 'aal2' } });
    },
  });
}

async function openReauthDialog() {
  const user = userEvent.setup();
  await user.click(await screen.findByRole('button', { name: 'Sign out everywhere else' }));
  const confirmation = await screen.findByRole('alertdialog', { name: 'Sign out everywhere else?' });
  await user.click(within(confirmation).getByRole('button', { name: 'Sign out everywhere else' }));
  return { user, dialog: await screen.findByRole('dialog', { name: 'Confirm it’s you' }) };
}

describe('"Confirm it’s you" on an account with an authenticator app', () => {
  it('asks for the authentication code after the password, keeps the password, and sends both', async () => {
    const { calls } = accountWithAuthenticatorApp();
    renderApp('/');
    const { user, dialog } = await openReauthDialog();
    expect(within(dialog).queryByLabelText('Authentication code')).toBeNull();
    await user.type(within(dialog).getByLabelText('Password'), PASSWORD);
    await user.click(within(dialog).getByRole('button', { name: 'Confirm' }));

    const code = await within(dialog).findByLabelText('Authentication code');
    expect(code.getAttribute('autocomplete')).toBe('one-time-code');
    await waitFor(() => expect(document.activeElement).toBe(code));
    // Being asked for the code is the next step, not an error.
    expect(within(dialog).queryByRole('alert')).toBeNull();
    expect(within(dialog).getByText(/code from your authenticator app, or one of your recovery codes/)).toBeTruthy();
    expect((within(dialog).getByLabelText('Password') as HTMLInputElement).value).toBe(PASSWORD);

    await user.type(code, CODE);
    await user.click(within(dialog).getByRole('button', { name: 'Confirm' }));

    expect(await screen.findByText('Signed out 1 other session.')).toBeTruthy();
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(calls.filter((call) => call.path === '/api/auth/reauth').map((call) => call.body)).toEqual([
      { password: PASSWORD },
      { password: PASSWORD, code: CODE },
    ]);
    // A refused proof is not a lost session.
    expect(screen.queryByRole('heading', { name: 'Signed out' })).toBeNull();
  });

  it('says a wrong code by its field and lets the person try again', async () => {
    accountWithAuthenticatorApp();
    renderApp('/');
    const { user, dialog } = await openReauthDialog();
    await user.type(within(dialog).getByLabelText('Password'), PASSWORD);
    await user.click(within(dialog).getByRole('button', { name: 'Confirm' }));
    const code = await within(dialog).findByLabelText('Authentication code');

    await user.click(within(dialog).getByRole('button', { name: 'Confirm' }));
    await waitFor(() => expect(code.getAttribute('aria-invalid')).toBe('true'));
    expect(document.getElementById(code.getAttribute('aria-describedby') ?? '')?.textContent).toBe('Enter the code.');

    await user.type(code, '000000');
    await user.click(within(dialog).getByRole('button', { name: 'Confirm' }));
    await waitFor(() => expect(document.getElementById(code.getAttribute('aria-describedby') ?? '')?.textContent).toMatch(/^That code does not work\./));
    await waitFor(() => expect(document.activeElement).toBe(code));

    await user.clear(code);
    await user.type(code, CODE);
    await user.click(within(dialog).getByRole('button', { name: 'Confirm' }));
    expect(await screen.findByText('Signed out 1 other session.')).toBeTruthy();
  });
});

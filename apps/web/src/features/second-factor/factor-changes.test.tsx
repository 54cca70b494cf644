import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { PasskeyView } from '@gatehouse/types/passkeys';
import { renderApp } from '../../test/render-app';
import { DashboardPage } from '../../app/pages';
import { apiError, FakeEventSource, json, noContent, stubApi, type Handler } from '../../test/fake-api';
import { activityList, currentSession, meResponse, passkeyList, secondFactorStatus, sessionList } from '../../test/fixtures';

// The dashboard and its second-factor sections are chunks loaded on demand: compiled once up front.
beforeAll(() => Promise.all([DashboardPage.preload(), import('./sections'), import('../../components/confirm-dialog')]));

beforeEach(() => {
  FakeEventSource.install();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const CHUNK_LOAD_MS = 5000;
const enabledTotp = () => secondFactorStatus({ totp: { isEnabled: true, enabledAt: new Date().toISOString() }, recoveryCodesLeft: 10 });
const laptopPasskey: PasskeyView = {
  id: 'cGFzc2tleS1pZA',
  name: 'Work laptop',
  createdAt: new Date().toISOString(),
  lastUsedAt: null,
  isSynced: false,
};

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

const sessionListFetches = (calls: ReturnType<typeof stubApi>['calls']) =>
  calls.filter((call) => call.method === 'GET' && call.path === '/api/sessions').length;

describe('a change of second factor offers to sign out the other sessions', () => {
  it('turning on an authenticator app sends the checkbox checked by default, says how many sessions ended and reloads the list', async () => {
    const { calls } = signedInApi({
      'POST /api/account/totp': () =>
        json({ secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', uri: 'otpauth://totp/Gatehouse:ada?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' }),
      'POST /api/account/totp/confirm': () => json({ recoveryCodes: ['aaaa-bbbb'], endedSessions: 2 }),
    });
    renderApp('/');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Set up an authenticator app' }, { timeout: CHUNK_LOAD_MS }));
    const section = screen.getByRole('region', { name: 'Two-factor authentication' });
    const checkbox = await within(section).findByRole('checkbox', { name: 'Sign out your other sessions' });
    expect((checkbox as HTMLInputElement).checked).toBe(true);
    const listFetchesBefore = sessionListFetches(calls);

    await user.type(within(section).getByLabelText('Code from the app'), '123456');
    await user.click(within(section).getByRole('button', { name: 'Turn on' }));

    expect(await within(section).findByText('2 other sessions were signed out.')).toBeTruthy();
    expect(calls.find((call) => call.path === '/api/account/totp/confirm')?.body).toEqual({ code: '123456', signOutOtherSessions: true });
    await waitFor(() => expect(sessionListFetches(calls)).toBeGreaterThan(listFetchesBefore));
  });

  it('turning the app off asks with the checkbox, and sends what the person chose', async () => {
    const { calls } = signedInApi({
      'GET /api/account/second-factor': () => json(enabledTotp()),
      'DELETE /api/account/totp': () => noContent(),
    });
    renderApp('/');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Turn off' }, { timeout: CHUNK_LOAD_MS }));
    const dialog = await screen.findByRole('alertdialog', { name: 'Turn off two-factor authentication?' });
    const checkbox = within(dialog).getByRole('checkbox', { name: 'Sign out your other sessions' });
    expect((checkbox as HTMLInputElement).checked).toBe(true);
    await user.click(checkbox);
    await user.click(within(dialog).getByRole('button', { name: 'Turn off' }));

    expect(await screen.findByText('Two-factor authentication is off.')).toBeTruthy();
    expect(calls.find((call) => call.method === 'DELETE' && call.path === '/api/account/totp')?.body).toEqual({ signOutOtherSessions: false });
  });

  it('removing a passkey sends the checkbox checked by default and reloads the session list', async () => {
    const { calls } = signedInApi({
      'GET /api/account/passkeys': () => json({ passkeys: [laptopPasskey] }),
      [`DELETE /api/account/passkeys/${laptopPasskey.id}`]: () => noContent(),
    });
    renderApp('/');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Remove Work laptop' }, { timeout: CHUNK_LOAD_MS }));
    const dialog = await screen.findByRole('alertdialog', { name: 'Remove the passkey “Work laptop”?' });
    expect((within(dialog).getByRole('checkbox', { name: 'Sign out your other sessions' }) as HTMLInputElement).checked).toBe(true);
    const listFetchesBefore = sessionListFetches(calls);
    await user.click(within(dialog).getByRole('button', { name: 'Remove' }));

    expect(await screen.findByText('Passkey “Work laptop” removed.')).toBeTruthy();
    expect(calls.find((call) => call.method === 'DELETE' && call.path.startsWith('/api/account/passkeys/'))?.body).toEqual({ signOutOtherSessions: true });
    await waitFor(() => expect(sessionListFetches(calls)).toBeGreaterThan(listFetchesBefore));
  });

  it('adding a passkey offers the checkbox, checked', async () => {
    signedInApi();
    renderApp('/');
    const passkeys = await screen.findByRole('region', { name: 'Passkeys' }, { timeout: CHUNK_LOAD_MS });
    expect((within(passkeys).getByRole('checkbox', { name: 'Sign out your other sessions' }) as HTMLInputElement).checked).toBe(true);
  });
});

describe('while the address is not confirmed', () => {
  it('says to confirm it instead of offering set-ups the API would refuse', async () => {
    signedInApi({ 'GET /api/auth/me': () => json(meResponse({ emailVerified: false })) });
    renderApp('/');
    const twoFactor = await screen.findByRole('region', { name: 'Two-factor authentication' }, { timeout: CHUNK_LOAD_MS });
    const passkeys = await screen.findByRole('region', { name: 'Passkeys' }, { timeout: CHUNK_LOAD_MS });
    for (const section of [twoFactor, passkeys]) {
      expect(await within(section).findByText(/Confirm your address before adding a second factor\./)).toBeTruthy();
      expect(within(section).getByRole('link', { name: 'Get a new confirmation link' }).getAttribute('href')).toBe('/account/email');
    }
    expect(within(twoFactor).queryByRole('button', { name: 'Set up an authenticator app' })).toBeNull();
    expect(within(passkeys).queryByRole('button', { name: 'Add a passkey' })).toBeNull();
  });

  it('says the same when the API refuses a set-up this tab thought allowed', async () => {
    let isVerified = true;
    signedInApi({
      'GET /api/auth/me': () => json(meResponse({ emailVerified: isVerified })),
      'POST /api/account/totp': () => {
        isVerified = false;
        return apiError(403, { code: 'email_unverified', message: 'Confirm your email address first.' });
      },
    });
    renderApp('/');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Set up an authenticator app' }, { timeout: CHUNK_LOAD_MS }));
    const twoFactor = screen.getByRole('region', { name: 'Two-factor authentication' });
    expect((await within(twoFactor).findByRole('alert')).textContent).toBe('Confirm your address before adding a second factor.');
    await waitFor(() => expect(within(twoFactor).queryByRole('button', { name: 'Set up an authenticator app' })).toBeNull());
  });
});

import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { ConnectionsResponse, ConnectionView } from '@gatehouse/types/oidc';
import { renderApp } from '../../test/render-app';
import { DashboardPage } from '../../app/pages';
import { apiError, FakeEventSource, json, noContent, stubApi, type Handler } from '../../test/fake-api';
import { activityList, currentSession, meResponse, passkeyList, secondFactorStatus, sessionList, sessionView } from '../../test/fixtures';
import { leavePageFor } from './leave-page';

vi.mock('./leave-page', () => ({ leavePageFor: vi.fn() }));

// The dashboard, its sections and the dialogs are chunks loaded on demand: compiled once up front.
beforeAll(() => Promise.all([DashboardPage.preload(), import('./connections-section'), import('../reauth/reauth-dialog'), import('./oidc-reauth')]));

beforeEach(() => {
  FakeEventSource.install();
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.mocked(leavePageFor).mockClear();
});

const CHUNK_LOAD_MS = 5000;
const reauthRequired = () => apiError(403, { code: 'reauth_required', message: 'Confirm it is you.' });

const testIdp = (overrides: Partial<ConnectionView> = {}): ConnectionView => ({
  provider: 'test-idp',
  name: 'Test IdP',
  email: 'ada@idp.example',
  connectedAt: new Date().toISOString(),
  canDisconnect: true,
  ...overrides,
});

function dashboard(connections: ConnectionsResponse, handlers: Record<string, Handler> = {}) {
  return stubApi({
    'GET /api/auth/me': () => json(meResponse()),
    'GET /api/sessions': () => json(sessionList()),
    'GET /api/sessions/current': () => json(currentSession()),
    'GET /api/activity': () => json(activityList()),
    'GET /api/account/second-factor': () => json(secondFactorStatus()),
    'GET /api/account/passkeys': () => json(passkeyList()),
    'GET /api/account/connections': () => json(connections),
    'GET /api/auth/oidc/providers': () => json({ providers: [{ id: 'test-idp', name: 'Test IdP' }] }),
    ...handlers,
  });
}

async function connectionsSection() {
  const heading = await screen.findByRole('heading', { level: 2, name: 'Connected accounts' }, { timeout: CHUNK_LOAD_MS });
  const section = heading.closest('section');
  if (!section) throw new Error('no section');
  return within(section);
}

describe('connected accounts', () => {
  it('is not shown on a deployment without providers', async () => {
    const { calls } = dashboard({ connections: [], available: [] });
    renderApp('/');
    await screen.findByRole('heading', { level: 2, name: 'Passkeys' }, { timeout: CHUNK_LOAD_MS });
    await waitFor(() => expect(calls.some((call) => call.path === '/api/account/connections')).toBe(true));
    expect(screen.queryByRole('heading', { name: 'Connected accounts' })).toBeNull();
  });

  it('connects a provider by sending the page where the API says, after confirming it is you', async () => {
    let isFresh = false;
    const { calls } = dashboard(
      { connections: [], available: [{ id: 'test-idp', name: 'Test IdP' }] },
      {
        'POST /api/account/connections/test-idp': () => (isFresh ? json({ url: 'https://idp.example/authorize?state=abc' }) : reauthRequired()),
        'POST /api/auth/reauth': () => {
          isFresh = true;
          return json(meResponse());
        },
      },
    );
    renderApp('/');
    const section = await connectionsSection();
    const user = userEvent.setup();
    await user.click(section.getByRole('button', { name: 'Connect Test IdP' }));

    const dialog = await screen.findByRole('dialog', { name: 'Confirm it’s you' }, { timeout: CHUNK_LOAD_MS });
    await user.type(within(dialog).getByLabelText('Password'), 'correct horse');
    await user.click(within(dialog).getByRole('button', { name: 'Confirm' }));

    await waitFor(() => expect(leavePageFor).toHaveBeenCalledWith('https://idp.example/authorize?state=abc'));
    expect(calls.filter((call) => call.path === '/api/account/connections/test-idp').map((call) => call.body)).toEqual([{}, {}]);
  });

  it('disconnects a provider after asking', async () => {
    let connections = [testIdp()];
    const { calls } = dashboard(
      { connections, available: [{ id: 'test-idp', name: 'Test IdP' }] },
      {
        'GET /api/account/connections': () => json({ connections, available: [{ id: 'test-idp', name: 'Test IdP' }] }),
        'DELETE /api/account/connections/test-idp': () => {
          connections = [];
          return noContent();
        },
      },
    );
    renderApp('/');
    const section = await connectionsSection();
    expect(section.getByText('ada@idp.example')).toBeTruthy();
    const user = userEvent.setup();
    await user.click(section.getByRole('button', { name: 'Disconnect Test IdP' }));
    const confirmation = await screen.findByRole('alertdialog', { name: 'Disconnect Test IdP?' }, { timeout: CHUNK_LOAD_MS });
    await user.click(within(confirmation).getByRole('button', { name: 'Disconnect' }));

    expect(await section.findByText('Test IdP disconnected.')).toBeTruthy();
    expect(await section.findByRole('button', { name: 'Connect Test IdP' })).toBeTruthy();
    expect(calls.filter((call) => call.method === 'DELETE')).toHaveLength(1);
  });

  it('says why the only way to sign in cannot be disconnected, and what the API answers if tried anyway', async () => {
    const { calls } = dashboard({ connections: [testIdp({ canDisconnect: false })], available: [{ id: 'test-idp', name: 'Test IdP' }] });
    renderApp('/');
    const section = await connectionsSection();
    const disconnect = section.getByRole('button', { name: 'Disconnect Test IdP' });
    expect(disconnect.getAttribute('aria-disabled')).toBe('true');
    const reason = document.getElementById(disconnect.getAttribute('aria-describedby') ?? '');
    expect(reason?.textContent).toBe('It is the only way you sign in: set a password or add a passkey first.');
    await userEvent.setup().click(disconnect);
    expect(screen.queryByRole('alertdialog')).toBeNull();
    expect(calls.some((call) => call.method === 'DELETE')).toBe(false);
  });

  it('shows the API’s refusal to disconnect the last way to sign in', async () => {
    dashboard(
      { connections: [testIdp()], available: [{ id: 'test-idp', name: 'Test IdP' }] },
      { 'DELETE /api/account/connections/test-idp': () => apiError(409, { code: 'last_sign_in_method', message: 'Last one.' }) },
    );
    renderApp('/');
    const section = await connectionsSection();
    const user = userEvent.setup();
    await user.click(section.getByRole('button', { name: 'Disconnect Test IdP' }));
    await user.click(within(await screen.findByRole('alertdialog', {}, { timeout: CHUNK_LOAD_MS })).getByRole('button', { name: 'Disconnect' }));
    expect((await section.findByRole('alert')).textContent).toBe(
      'It is the only way you sign in, so it stays connected. Set a password or add a passkey first.',
    );
  });
});

describe('the dashboard after a provider’s redirect back', () => {
  it('says the provider is connected (?connected=)', async () => {
    dashboard({ connections: [testIdp()], available: [{ id: 'test-idp', name: 'Test IdP' }] });
    renderApp('/?connected=test-idp');
    expect(await screen.findByText('Test IdP is connected. You can now sign in with it.', {}, { timeout: CHUNK_LOAD_MS })).toBeTruthy();
  });

  it('says the person was confirmed (?reauthenticated=)', async () => {
    dashboard({ connections: [testIdp()], available: [] });
    renderApp('/?reauthenticated=test-idp');
    expect(await screen.findByText('Confirmed with Test IdP. Try the action again.', {}, { timeout: CHUNK_LOAD_MS })).toBeTruthy();
  });

  it('says why connecting did not work (?oidc_error=)', async () => {
    dashboard({ connections: [], available: [{ id: 'test-idp', name: 'Test IdP' }] });
    renderApp('/?oidc_error=already_linked&provider=test-idp');
    const alert = await screen.findByText('That Test IdP account is already connected to another Gatehouse account.', {}, { timeout: CHUNK_LOAD_MS });
    expect(alert.getAttribute('role')).toBe('alert');
  });
});

describe('confirming it is you with a provider', () => {
  it('offers each connected provider in the dialog and sends the page there', async () => {
    dashboard(
      { connections: [testIdp()], available: [] },
      {
        'POST /api/sessions/revoke-others': reauthRequired,
        'POST /api/auth/oidc/test-idp/reauth': () => json({ url: 'https://idp.example/authorize?prompt=login' }),
      },
    );
    renderApp('/');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Sign out everywhere else' }));
    const confirmation = await screen.findByRole('alertdialog', { name: 'Sign out everywhere else?' }, { timeout: CHUNK_LOAD_MS });
    await user.click(within(confirmation).getByRole('button', { name: 'Sign out everywhere else' }));
    const dialog = await screen.findByRole('dialog', { name: 'Confirm it’s you' }, { timeout: CHUNK_LOAD_MS });

    await user.click(await within(dialog).findByRole('button', { name: 'Confirm with Test IdP' }, { timeout: CHUNK_LOAD_MS }));
    await waitFor(() => expect(leavePageFor).toHaveBeenCalledWith('https://idp.example/authorize?prompt=login'));
  });
});

describe('recent activity', () => {
  it('names the provider of connection and sign-in events', async () => {
    const event = (id: string, type: 'oidc_connected' | 'oidc_disconnected' | 'oidc_sign_in_refused') => ({
      id,
      type,
      at: new Date().toISOString(),
      device: null,
      ip: null,
      actor: 'self' as const,
      isSuspicious: false,
      providerName: 'Test IdP',
    });
    dashboard(
      { connections: [], available: [] },
      { 'GET /api/activity': () => json({ events: [event('1', 'oidc_connected'), event('2', 'oidc_disconnected'), event('3', 'oidc_sign_in_refused')] }) },
    );
    renderApp('/');
    expect(await screen.findByText('Connected Test IdP')).toBeTruthy();
    expect(screen.getByText('Disconnected Test IdP')).toBeTruthy();
    expect(screen.getByText('Sign-in with Test IdP refused')).toBeTruthy();
  });
});

describe('a session signed in with a provider', () => {
  it('is shown signed in with Test IdP', async () => {
    dashboard(
      { connections: [], available: [] },
      { 'GET /api/sessions': () => json({ sessions: [sessionView({ authMethods: ['oidc', 'totp'], signInProvider: 'Test IdP' })] }) },
    );
    renderApp('/');
    expect(await screen.findByText('Test IdP and Authenticator code')).toBeTruthy();
  });
});

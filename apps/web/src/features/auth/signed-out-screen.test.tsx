import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderApp } from '../../test/render-app';
import { apiError, FakeEventSource, json, stubApi, type Handler } from '../../test/fake-api';
import { activityList, currentSession, meResponse, sessionList, passkeyList, secondFactorStatus } from '../../test/fixtures';
import { authKeys } from './auth-queries';

beforeEach(() => {
  FakeEventSource.install();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const unauthenticated = () => apiError(401, { code: 'unauthenticated', message: 'Sign in to continue' });

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

describe('when the session ends while the app is open', () => {
  it('shows the signed-out screen as soon as the live stream says session_ended', async () => {
    signedInApi();
    const { queryClient } = renderApp('/');
    await screen.findByRole('heading', { level: 2, name: 'This session' });

    // The stream opens once the app is idle, which may come after the first paint.
    const stream = await waitFor(() => FakeEventSource.latest());
    act(() => stream.emit('session_ended', { type: 'session_ended', reason: 'revoked' }));

    expect(await screen.findByRole('heading', { level: 1, name: 'Signed out' })).toBeTruthy();
    expect(screen.getByText('This session was signed out from another device.')).toBeTruthy();
    expect(screen.getByRole('link', { name: 'Sign in again' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Sign out' })).toBeNull();
    expect(screen.queryByText('Ada Lovelace')).toBeNull();
    expect(screen.queryByRole('link', { name: 'Dashboard' })).toBeNull();
    expect(queryClient.getQueryData(authKeys.me())).toBeNull();
    expect(queryClient.getQueryData(['sessions', 'list'])).toBeUndefined();
  });

  it('says an administrator disabled the account, not that another device signed it out', async () => {
    signedInApi();
    renderApp('/');
    await screen.findByRole('heading', { level: 2, name: 'This session' });

    const stream = await waitFor(() => FakeEventSource.latest());
    act(() => stream.emit('session_ended', { type: 'session_ended', reason: 'account_disabled' }));

    expect(await screen.findByText('An administrator disabled your account, so this session was signed out.')).toBeTruthy();
    expect(screen.queryByText(/another device/)).toBeNull();
  });

  it('says the session expired when that was the reason', async () => {
    signedInApi();
    renderApp('/');
    await screen.findByRole('heading', { level: 2, name: 'This session' });

    const stream = await waitFor(() => FakeEventSource.latest());
    act(() => stream.emit('session_ended', { type: 'session_ended', reason: 'expired' }));

    expect(await screen.findByText('Your session expired.')).toBeTruthy();
  });

  it('shows the signed-out screen when a request answers 401', async () => {
    let isRevoked = false;
    signedInApi({
      'GET /api/sessions': () => (isRevoked ? unauthenticated() : json(sessionList())),
      'GET /api/auth/me': () => (isRevoked ? unauthenticated() : json(meResponse())),
    });
    const { queryClient } = renderApp('/');
    await screen.findByRole('heading', { level: 2, name: 'All your sessions' });

    isRevoked = true;
    await act(() => queryClient.invalidateQueries({ queryKey: ['sessions', 'list'] }));

    expect(await screen.findByRole('heading', { level: 1, name: 'Signed out' })).toBeTruthy();
    expect(screen.getByText(/This session was signed out from another device/)).toBeTruthy();
  });

  it('stays signed in when a 401 answered a request sent with a cookie that was just replaced', async () => {
    let answerStale401 = false;
    const { calls } = signedInApi({ 'GET /api/sessions': () => (answerStale401 ? unauthenticated() : json(sessionList())) });
    const { queryClient } = renderApp('/');
    await screen.findByRole('heading', { level: 2, name: 'All your sessions' });

    answerStale401 = true;
    const meChecks = calls.filter((call) => call.path === '/api/auth/me').length;
    await act(() => queryClient.invalidateQueries({ queryKey: ['sessions', 'list'] }));

    await waitFor(() => expect(calls.filter((call) => call.path === '/api/auth/me').length).toBe(meChecks + 1));
    expect(screen.queryByRole('heading', { name: 'Signed out' })).toBeNull();
    expect(screen.getByRole('heading', { level: 2, name: 'This session' })).toBeTruthy();
  });

  it('stays signed in when the server gives the session a new id on one request while another, sent with the old cookie, fails', async () => {
    // An administrator changed the role: the first request to arrive gets the new id, the other one a 401.
    let hasNewId = false;
    let answerWithOldCookie = false;
    const { calls } = signedInApi({
      'GET /api/sessions': () => (answerWithOldCookie && !hasNewId ? unauthenticated() : json(sessionList())),
      'GET /api/sessions/current': async () => {
        if (!answerWithOldCookie) return json(currentSession());
        await new Promise((resolve) => setTimeout(resolve, 50));
        hasNewId = true;
        return json(currentSession());
      },
      'GET /api/auth/me': () => (answerWithOldCookie && !hasNewId ? unauthenticated() : json(meResponse())),
    });
    const { queryClient } = renderApp('/');
    await screen.findByRole('heading', { level: 2, name: 'All your sessions' });
    await screen.findByText('This device');

    answerWithOldCookie = true;
    const listFetches = calls.filter((call) => call.path === '/api/sessions').length;
    await act(() => queryClient.invalidateQueries({ queryKey: ['sessions'] }));

    // The failed list is asked for again, with the new id, and the page carries on.
    await waitFor(() => expect(calls.filter((call) => call.path === '/api/sessions').length).toBe(listFetches + 2));
    expect(await screen.findByText('This device')).toBeTruthy();
    expect(screen.queryByRole('heading', { name: 'Signed out' })).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('leads back to the sign-in page from the signed-out screen', async () => {
    let isRevoked = false;
    signedInApi({ 'GET /api/auth/me': () => (isRevoked ? unauthenticated() : json(meResponse())) });
    const { location } = renderApp('/');
    await screen.findByRole('heading', { level: 2, name: 'This session' });

    isRevoked = true;
    // The stream opens once the app is idle, which may come after the first paint.
    const stream = await waitFor(() => FakeEventSource.latest());
    act(() => stream.emit('session_ended', { type: 'session_ended', reason: 'revoked' }));
    await userEvent.setup().click(await screen.findByRole('link', { name: 'Sign in again' }));

    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeTruthy();
    expect(location.pathname).toBe('/login');
  });
});

describe('signing out in this tab', () => {
  it('shows the signed-out header and the sign-in page at once, and forgets the account’s data', async () => {
    const { calls } = signedInApi({ 'POST /api/auth/logout': () => new Response(null, { status: 204 }) });
    const { location, queryClient } = renderApp('/');
    await screen.findByRole('heading', { level: 2, name: 'This session' });
    const meChecks = calls.filter((call) => call.path === '/api/auth/me').length;

    await userEvent.setup().click(within(screen.getByRole('banner')).getByRole('button', { name: 'Sign out' }));

    expect(await screen.findByRole('heading', { level: 1, name: 'Sign in' })).toBeTruthy();
    expect(location.pathname).toBe('/login');
    const banner = screen.getByRole('banner');
    expect(within(banner).queryByText('Ada Lovelace')).toBeNull();
    expect(within(banner).queryByRole('button', { name: 'Sign out' })).toBeNull();
    expect(within(banner).queryByRole('link', { name: 'Dashboard' })).toBeNull();
    expect(queryClient.getQueryData(['sessions', 'list'])).toBeUndefined();
    // Signed out is known here: nothing has to be asked to show it.
    expect(calls.filter((call) => call.path === '/api/auth/me').length).toBe(meChecks);
  });
});

describe('a visitor who is not signed in', () => {
  it('is sent to the sign-in page, not shown the signed-out screen', async () => {
    stubApi({ 'GET /api/auth/me': unauthenticated });
    const { location } = renderApp('/');

    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeTruthy();
    expect(location.pathname).toBe('/login');
    expect(screen.queryByRole('heading', { name: 'Signed out' })).toBeNull();
  });
});

describe('when the API answers 503', () => {
  it('shows that the service is unavailable instead of the sign-in page', async () => {
    stubApi({
      'GET /api/auth/me': () => apiError(503, { code: 'service_unavailable', message: 'Database unavailable' }, { 'Retry-After': '5' }),
    });
    const { location } = renderApp('/');

    expect(await screen.findByText('Service unavailable, retrying…')).toBeTruthy();
    expect(screen.getByRole('heading', { level: 1, name: 'Temporarily unavailable' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Sign in' })).toBeNull();
    expect(location.pathname).toBe('/');
  });
});

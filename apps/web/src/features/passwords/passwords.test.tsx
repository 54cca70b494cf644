import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderApp } from '../../test/render-app';
import { apiError, FakeEventSource, json, stubApi, type Handler } from '../../test/fake-api';
import { activityList, currentSession, meResponse, passkeyList, secondFactorStatus, sessionList } from '../../test/fixtures';
import { loadScorer } from './password-field';
import { strengthLevel } from './strength-level';

const BREACHED = 'This password has appeared in a data breach, so attackers try it early. Choose a different one.';
const signedOut = () => apiError(401, { code: 'unauthenticated', message: 'Sign in to continue.' });
const breached = (field: string) => () => apiError(400, { code: 'password_breached', message: BREACHED, fields: { [field]: BREACHED } });
/** Chunks loaded on demand (the pages, the field, the estimator with its dictionaries). */
const CHUNK_LOAD_MS = 10_000;

// Each test waits for chunks (page, field, estimator); on a busy machine that outlasts the default 5 s.
vi.setConfig({ testTimeout: 20_000 });

// The estimator's module is large: compiled once up front, so the tests' timeouts measure the app.
beforeAll(async () => {
  await loadScorer();
}, 30_000);

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

/** The element(s) an input names with aria-describedby, as text. */
function descriptionOf(input: HTMLElement): string {
  const ids = (input.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
  return ids.map((id) => document.getElementById(id)?.textContent ?? '').join(' | ');
}

describe('strength levels', () => {
  it('puts zxcvbn scores in three words, and anything shorter than the policy is weak', () => {
    expect(strengthLevel(0, 'aaaaaaaaaa')).toBe('weak');
    expect(strengthLevel(1, 'aaaaaaaaaa')).toBe('weak');
    expect(strengthLevel(2, 'aaaaaaaaaa')).toBe('fair');
    expect(strengthLevel(3, 'aaaaaaaaaa')).toBe('strong');
    expect(strengthLevel(4, 'short')).toBe('weak');
  });
});

describe('the strength meter', () => {
  it('says Weak / Strong in words tied to the field with aria-describedby, as the person types', async () => {
    stubApi({ 'GET /api/auth/me': signedOut });
    renderApp('/register');
    const user = userEvent.setup();
    const password = await screen.findByLabelText('Password', {}, { timeout: CHUNK_LOAD_MS });
    expect(screen.queryByText(/Password strength/)).toBeNull();

    await user.type(password, 'password1');
    await waitFor(() => expect(descriptionOf(password)).toContain('Password strength: Weak'), { timeout: CHUNK_LOAD_MS });
    await user.clear(password);
    await user.type(password, 'violet harbour tram ledger 1987');
    await waitFor(() => expect(descriptionOf(password)).toContain('Password strength: Strong'));
    // The bar repeats the words; it is hidden from assistive technology, which reads the words.
    expect(document.querySelector('.strength-bar')?.getAttribute('aria-hidden')).toBe('true');
  });

  it('counts the name and address typed in the form as known words', async () => {
    stubApi({ 'GET /api/auth/me': signedOut });
    renderApp('/register');
    const user = userEvent.setup();
    const password = await screen.findByLabelText('Password', {}, { timeout: CHUNK_LOAD_MS });
    await user.type(screen.getByLabelText('Name'), 'Quintessa Marlowe');
    await user.type(screen.getByLabelText('Email'), 'quintessa@example.com');
    await user.type(password, 'quintessamarlowe');
    await waitFor(() => expect(descriptionOf(password)).toContain('Password strength: Weak'), { timeout: CHUNK_LOAD_MS });
  });
});

describe('a breached password', () => {
  it('registration: the refusal is said under the password field, not in the form alert', async () => {
    stubApi({ 'GET /api/auth/me': signedOut, 'POST /api/auth/register': breached('password') });
    renderApp('/register');
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText('Name'), 'Ada Lovelace');
    await user.type(screen.getByLabelText('Email'), 'ada@example.com');
    const password = await screen.findByLabelText('Password', {}, { timeout: CHUNK_LOAD_MS });
    await user.type(password, 'a breached passphrase');
    await user.click(screen.getByRole('button', { name: 'Create account' }));

    await waitFor(() => expect(password.getAttribute('aria-invalid')).toBe('true'));
    expect(descriptionOf(password)).toContain(BREACHED);
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('password change: the refusal is said under the new-password field', async () => {
    signedInApi({ 'POST /api/auth/password': breached('newPassword') });
    renderApp('/');
    const user = userEvent.setup();
    const section = (await screen.findByRole('heading', { name: 'Change password' }, { timeout: CHUNK_LOAD_MS })).closest('section');
    if (!section) throw new Error('no change-password section');
    await user.type(within(section).getByLabelText('Current password'), 'my current passphrase');
    const newPassword = await within(section).findByLabelText('New password', {}, { timeout: CHUNK_LOAD_MS });
    await user.type(newPassword, 'a breached passphrase');
    await user.click(within(section).getByRole('button', { name: 'Change password' }));

    await waitFor(() => expect(newPassword.getAttribute('aria-invalid')).toBe('true'));
    expect(descriptionOf(newPassword)).toContain(BREACHED);
  });

  it('reset: the refusal is said under the field, and the form stays to try another', async () => {
    stubApi({
      'GET /api/auth/me': signedOut,
      'POST /api/auth/password/reset/check': () => json({ email: 'ada@example.com', expiresAt: new Date().toISOString() }),
      'POST /api/auth/password/reset': breached('password'),
    });
    renderApp('/reset-password?token=abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG');
    const user = userEvent.setup();
    const password = await screen.findByLabelText('New password', {}, { timeout: CHUNK_LOAD_MS });
    await user.type(password, 'a breached passphrase');
    await user.click(screen.getByRole('button', { name: 'Set new password' }));
    await waitFor(() => expect(descriptionOf(password)).toContain(BREACHED));
    expect(screen.getByRole('button', { name: 'Set new password' })).toBeTruthy();
  });
});

describe('the dashboard after a sign-in with a breached password', () => {
  it('asks for a new password with a link to the password change', async () => {
    signedInApi({ 'GET /api/auth/me': () => json(meResponse({ passwordBreached: true })) });
    renderApp('/');
    const banner = await screen.findByText(/Your password has appeared in a data breach/, {}, { timeout: CHUNK_LOAD_MS });
    const link = within(banner.closest('.banner') as HTMLElement).getByRole('link', { name: 'Change your password' });
    expect(link.getAttribute('href')).toBe('#change-password');
    expect(document.getElementById('change-password')?.querySelector('h2')?.textContent).toBe('Change password');
  });

  it('shows no such banner otherwise', async () => {
    signedInApi();
    renderApp('/');
    await screen.findByRole('heading', { name: 'Change password' }, { timeout: CHUNK_LOAD_MS });
    expect(screen.queryByText(/appeared in a data breach/)).toBeNull();
  });
});

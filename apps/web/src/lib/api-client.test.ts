import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MeResponse } from '@gatehouse/types/auth';
import { ApiError, apiCommand, apiRequest, isErrorBody, isServiceUnavailable, isSessionGone, parseRetryAfter } from './api-client';
import { apiError, json, noContent, stubApi } from '../test/fake-api';
import { meResponse } from '../test/fixtures';

afterEach(() => {
  vi.unstubAllGlobals();
});

async function caught(promise: Promise<unknown>): Promise<ApiError> {
  const error: unknown = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  if (!(error instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(error)}`);
  return error;
}

describe('apiRequest', () => {
  it('sends JSON with the same-origin cookie and returns the JSON body', async () => {
    const { calls } = stubApi({ 'POST /api/auth/reauth': () => json(meResponse()) });
    const result = await apiRequest<MeResponse>('/api/auth/reauth', { method: 'POST', body: { password: 'pw' } });

    expect(result.user.email).toBe('ada@example.com');
    const init = calls[0]?.init;
    expect(init?.credentials).toBe('same-origin');
    expect(new Headers(init?.headers).get('Content-Type')).toBe('application/json');
    expect(calls[0]?.body).toEqual({ password: 'pw' });
  });

  it('sends an empty JSON object for a write without a payload, since the API accepts JSON bodies only', async () => {
    const { calls } = stubApi({ 'POST /api/auth/logout': () => noContent() });
    await apiCommand('/api/auth/logout', { method: 'POST' });
    expect(calls[0]?.body).toEqual({});
  });

  it('sends a DELETE bare unless it has a body to carry', async () => {
    const { calls } = stubApi({ 'DELETE /api/account/totp': () => noContent() });
    await apiCommand('/api/account/totp', { method: 'DELETE' });
    await apiCommand('/api/account/totp', { method: 'DELETE', body: { signOutOtherSessions: false } });
    expect(calls.map((call) => call.body)).toEqual([undefined, { signOutOtherSessions: false }]);
    expect(new Headers(calls[1]?.init?.headers).get('Content-Type')).toBe('application/json');
  });
});

describe('ApiError', () => {
  it('carries the code, status, message and field messages of an ErrorBody', async () => {
    stubApi({
      'POST /api/auth/register': () =>
        apiError(400, { code: 'validation_failed', message: 'Check the form', fields: { password: 'Use at least 8 characters' } }),
    });
    const error = await caught(apiCommand('/api/auth/register', { method: 'POST', body: {} }));

    expect(error.status).toBe(400);
    expect(error.code).toBe('validation_failed');
    expect(error.message).toBe('Check the form');
    expect(error.fields).toEqual({ password: 'Use at least 8 characters' });
    expect(error.retryAfter).toBeNull();
    expect(error.signedInAs).toBeNull();
  });

  it('names the account this browser is signed in to when it is another one', async () => {
    stubApi({
      'POST /api/auth/email/verify': () =>
        apiError(409, { code: 'signed_in_as_other', message: 'This browser is signed in to another account.', signedInAs: 'grace@example.com' }),
    });
    const error = await caught(apiCommand('/api/auth/email/verify', { method: 'POST', body: {} }));
    expect(error.code).toBe('signed_in_as_other');
    expect(error.signedInAs).toBe('grace@example.com');
  });

  it('does not trust a 4xx body that is not in ErrorBody shape', async () => {
    stubApi({ 'POST /api/auth/login': () => json({ error: { code: 'validation_failed', message: 42, fields: { email: 'x' } } }, 400) });
    const error = await caught(apiCommand('/api/auth/login', { method: 'POST', body: {} }));

    expect(error.status).toBe(400);
    expect(error.code).toBe('internal');
    expect(error.fields).toEqual({});
  });

  it('reads Retry-After on a throttled sign-in', async () => {
    stubApi({
      'POST /api/auth/login': () => apiError(429, { code: 'too_many_requests', message: 'Too many attempts' }, { 'Retry-After': '120' }),
    });
    const error = await caught(apiCommand('/api/auth/login', { method: 'POST', body: {} }));
    expect(error.code).toBe('too_many_requests');
    expect(error.retryAfter).toBe(120);
  });

  it('treats a 401 as a lost session, except a wrong password or code typed while signed in', async () => {
    stubApi({
      'GET /api/auth/me': () => apiError(401, { code: 'unauthenticated', message: 'Sign in' }),
      'POST /api/auth/password': () => apiError(401, { code: 'invalid_credentials', message: 'Wrong password' }),
      'POST /api/auth/reauth': ({ body }) =>
        (body as { code?: string }).code === undefined
          ? apiError(401, { code: 'second_factor_required', message: 'Enter a code too' })
          : apiError(401, { code: 'invalid_code', message: 'Wrong code' }),
    });
    expect(isSessionGone(await caught(apiCommand('/api/auth/me')))).toBe(true);
    expect(isSessionGone(await caught(apiCommand('/api/auth/password', { method: 'POST', body: {} })))).toBe(false);
    expect(isSessionGone(await caught(apiCommand('/api/auth/reauth', { method: 'POST', body: { password: 'pw' } })))).toBe(false);
    expect(isSessionGone(await caught(apiCommand('/api/auth/reauth', { method: 'POST', body: { password: 'pw', code: '1' } })))).toBe(false);
  });
});

describe('when the service is unavailable', () => {
  it('maps 503 service_unavailable with its Retry-After', async () => {
    stubApi({
      'GET /api/sessions': () => apiError(503, { code: 'service_unavailable', message: 'Database unavailable' }, { 'Retry-After': '5' }),
    });
    const error = await caught(apiCommand('/api/sessions'));
    expect(isServiceUnavailable(error)).toBe(true);
    expect(error.status).toBe(503);
    expect(error.retryAfter).toBe(5);
  });

  it('treats a gateway error without our error shape as an outage, not as a bug', async () => {
    stubApi({ 'GET /api/auth/me': () => new Response('<html>Bad Gateway</html>', { status: 502 }) });
    const error = await caught(apiCommand('/api/auth/me'));
    expect(isServiceUnavailable(error)).toBe(true);
  });

  it('treats an unreachable server as an outage', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(() => Promise.reject(new TypeError('Failed to fetch'))),
    );
    const error = await caught(apiCommand('/api/auth/me'));
    expect(isServiceUnavailable(error)).toBe(true);
    expect(error.status).toBe(0);
  });
});

describe('parseRetryAfter', () => {
  it('accepts seconds and HTTP dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('5', now)).toBe(5);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter(null, now)).toBeNull();
    expect(parseRetryAfter('soon', now)).toBeNull();
  });
});

describe('isErrorBody', () => {
  it('accepts the API error shape with or without field messages', () => {
    expect(isErrorBody({ error: { code: 'forbidden', message: 'No' } })).toBe(true);
    expect(isErrorBody({ error: { code: 'validation_failed', message: 'Check', fields: { email: 'Bad' } } })).toBe(true);
  });

  it('refuses anything else', () => {
    expect(isErrorBody(null)).toBe(false);
    expect(isErrorBody('Bad Gateway')).toBe(false);
    expect(isErrorBody({ error: 'forbidden' })).toBe(false);
    expect(isErrorBody({ error: { code: 'forbidden' } })).toBe(false);
    expect(isErrorBody({ error: { code: 'validation_failed', message: 'Check', fields: { email: 1 } } })).toBe(false);
    expect(isErrorBody({ error: { code: 'validation_failed', message: 'Check', fields: ['email'] } })).toBe(false);
    expect(isErrorBody({ error: { code: 'signed_in_as_other', message: 'Signed in', signedInAs: 7 } })).toBe(false);
  });
});

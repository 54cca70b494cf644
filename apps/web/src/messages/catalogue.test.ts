import { describe, expect, it } from 'vitest';
import { ErrorCodeSchema } from '@gatehouse/types/errors';
import { errorField, errorText, type ErrorContext } from './errors';
import { secondFactorErrorTexts } from './second-factor';
import { connectionErrorTexts } from './oidc';
import { passwordErrorTexts } from './passwords';
import { formatList, pickLocale, plural } from './intl';

const CONTEXTS: ErrorContext[] = [
  'sign-in',
  'register',
  'reauth',
  'change-password',
  'rename-device',
  'session-action',
  'admin-action',
  'forgot-password',
  'mail-link',
  'change-email',
  'second-factor',
  'passkey',
  'connection',
  'load',
];

describe('the error catalogue', () => {
  it('has words for every error code the API can send, on every form', () => {
    for (const code of ErrorCodeSchema.options) {
      if (Object.hasOwn(secondFactorErrorTexts, code) || Object.hasOwn(connectionErrorTexts, code) || Object.hasOwn(passwordErrorTexts, code)) continue;
      // The API's own sentence serves (messages/errors.ts): the session cap's (the sign-in page lists the
      // sessions below it), and the device-binding codes no form meets.
      if (code === 'session_limit_reached' || code === 'device_binding_required' || code === 'invalid_device_proof') continue;
      for (const context of CONTEXTS) {
        const text = errorText(code, context);
        expect(text, `${code} on ${context}`).not.toBeUndefined();
        if (text !== null) expect(text, `${code} on ${context}`).toMatch(/^[A-Z].*[.…]$/);
      }
    }
  });

  it('has the second-factor codes’ words with the screens that meet them', () => {
    for (const text of Object.values(secondFactorErrorTexts)) expect(text).toMatch(/^[A-Z].*[.…]$/);
    expect(Object.keys(secondFactorErrorTexts).every((code) => (ErrorCodeSchema.options as readonly string[]).includes(code))).toBe(true);
  });

  it('has the connected accounts’ codes’ words with that section', () => {
    for (const text of Object.values(connectionErrorTexts)) expect(text).toMatch(/^[A-Z].*[.…]$/);
  });

  it('has the breached-password code’s words with the password field that says it', () => {
    for (const text of Object.values(passwordErrorTexts)) expect(text).toMatch(/^[A-Z].*[.…]$/);
  });

  it('says nothing for a password confirmation the person cancelled', () => {
    expect(errorText('reauth_required', 'session-action')).toBeNull();
  });

  it('fits a wrong password to the form it happened on', () => {
    expect(errorText('invalid_credentials', 'sign-in')).toBe('The email or password is incorrect.');
    expect(errorText('invalid_credentials', 'reauth')).toBe('That password is not correct.');
    expect(errorText('invalid_credentials', 'change-password')).toBe('The current password is not correct.');
    expect(errorField('invalid_credentials', 'change-password')).toBe('currentPassword');
    expect(errorField('invalid_credentials', 'reauth')).toBe('password');
    expect(errorField('invalid_credentials', 'sign-in')).toBeUndefined();
  });

  it('has no words of its own for a code it does not know yet', () => {
    expect(errorText('some_future_code', 'sign-in')).toBeUndefined();
    expect(errorText('toString', 'sign-in')).toBeUndefined();
  });
});

describe('plural', () => {
  it('picks the form for the count and writes the count in', () => {
    expect(plural(1, { one: '# session', other: '# sessions' })).toBe('1 session');
    expect(plural(2, { one: '# session', other: '# sessions' })).toBe('2 sessions');
    expect(plural(0, { one: '# session', other: '# sessions' })).toBe('0 sessions');
    expect(plural(1200, { other: '# sessions' })).toBe('1,200 sessions');
  });
});

describe('formatList', () => {
  it('joins items the way the language does', () => {
    expect(formatList(['password'])).toBe('password');
    expect(formatList(['password', 'authenticator code'])).toBe('password and authenticator code');
  });
});

describe('pickLocale', () => {
  it('takes the first preferred variant of the catalogue language', () => {
    expect(pickLocale(['de-DE', 'en-GB', 'en-US'])).toBe('en-GB');
    expect(pickLocale(['en'])).toBe('en');
  });

  it('falls back to the catalogue language, never to another language', () => {
    expect(pickLocale(['fr-FR', 'de'])).toBe('en');
    expect(pickLocale([])).toBe('en');
    expect(pickLocale(['not a tag', 'en-AU'])).toBe('en-AU');
  });
});

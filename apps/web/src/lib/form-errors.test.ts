import { describe, expect, it } from 'vitest';
import { ApiError } from './api-client';
import { describeError } from './form-errors';

const apiError = (status: number, code: string, message: string, extra: { fields?: Record<string, string>; retryAfter?: number } = {}) =>
  new ApiError({ status, code: code as ApiError['code'], message, ...extra });

describe('describeError', () => {
  it('says a wrong current password once, by the Current password field, in the words of that form', () => {
    const wrong = apiError(401, 'invalid_credentials', 'The email or password is incorrect.');
    expect(describeError(wrong, 'change-password', ['currentPassword', 'newPassword'])).toEqual({
      alert: null,
      fields: { currentPassword: 'The current password is not correct.' },
    });
  });

  it('says a wrong password in the password dialog without mentioning an email', () => {
    const wrong = apiError(401, 'invalid_credentials', 'The email or password is incorrect.');
    expect(describeError(wrong, 'reauth', ['password'])).toEqual({ alert: null, fields: { password: 'That password is not correct.' } });
  });

  it('keeps a failed sign-in in the alert, naming neither field', () => {
    const wrong = apiError(401, 'invalid_credentials', 'whatever the API says');
    expect(describeError(wrong, 'sign-in', ['email', 'password'])).toEqual({ alert: 'The email or password is incorrect.', fields: {} });
  });

  it('says how long to wait once, in words, after too many attempts', () => {
    const throttled = apiError(429, 'too_many_requests', 'Too many attempts. Try again later.', { retryAfter: 3600 });
    expect(describeError(throttled, 'sign-in', ['email', 'password']).alert).toBe('Too many attempts. Try again in about 1 hour.');
    const unsaid = apiError(429, 'too_many_requests', 'Too many attempts. Try again later.');
    expect(describeError(unsaid, 'sign-in').alert).toBe('Too many attempts. Try again later.');
  });

  it('shows field problems by their fields only, and those of fields the form does not have in the alert', () => {
    const invalid = apiError(400, 'validation_failed', 'Some fields are not valid.', { fields: { email: 'Enter a valid email address' } });
    expect(describeError(invalid, 'sign-in', ['email', 'password'])).toEqual({ alert: null, fields: { email: 'Enter a valid email address' } });
    const elsewhere = apiError(400, 'validation_failed', 'Some fields are not valid.', { fields: { rememberMe: 'Expected a boolean' } });
    expect(describeError(elsewhere, 'sign-in', ['email', 'password'])).toEqual({ alert: 'Expected a boolean', fields: {} });
    const bare = apiError(400, 'validation_failed', 'Some fields are not valid.');
    expect(describeError(bare, 'sign-in', ['email']).alert).toBe('Please correct the highlighted fields.');
  });

  it('puts a taken email by the Email field when registering', () => {
    const taken = apiError(409, 'email_taken', 'An account with this email already exists.');
    expect(describeError(taken, 'register', ['name', 'email', 'password']).fields).toEqual({ email: 'An account with this email already exists.' });
  });

  it('says nothing when the person cancelled the password confirmation', () => {
    expect(describeError(apiError(403, 'reauth_required', 'Confirm your password to continue.'), 'session-action')).toEqual({ alert: null, fields: {} });
  });

  it('keeps the API’s message for a code this build does not know', () => {
    expect(describeError(apiError(418, 'teapot', 'I am a teapot.'), 'session-action').alert).toBe('I am a teapot.');
  });

  it('has a plain sentence for failures that are not the API talking', () => {
    expect(describeError(new TypeError('x is undefined'), 'load').alert).toBe('Something went wrong. Please try again.');
    expect(describeError(null, 'load')).toEqual({ alert: null, fields: {} });
  });
});

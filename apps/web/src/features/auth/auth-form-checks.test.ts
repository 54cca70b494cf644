import { describe, expect, it } from 'vitest';
import { ChangePasswordRequestSchema, LoginRequestSchema, ReauthRequestSchema, RegisterRequestSchema } from '@gatehouse/types/auth';
import { checkPasswordChange } from './auth-form-checks';
import { checkReauth } from '../reauth/reauth-form-checks';
import { checkLogin, checkRegistration } from './guest-form-checks';

type RequestSchema = typeof LoginRequestSchema | typeof RegisterRequestSchema | typeof ChangePasswordRequestSchema | typeof ReauthRequestSchema;

/** What the API's schema says about `values`: the parsed data, or the first message per field. */
function apiVerdict(schema: RequestSchema, values: unknown) {
  const result = schema.safeParse(values);
  if (result.success) return { data: result.data, errors: null };
  const errors: Record<string, string> = {};
  for (const issue of result.error.issues) errors[issue.path.map(String).join('.')] ??= issue.message;
  return { data: null, errors };
}

const long = (length: number) => 'x'.repeat(length);

describe('the browser form checks agree with the API request schemas', () => {
  it.each([
    { email: ' Ada@Example.com ', password: 'correct horse', rememberMe: true },
    { email: '', password: '', rememberMe: false },
    { email: 'not-an-email', password: 'x', rememberMe: false },
    { email: `${long(250)}@example.com`, password: 'pw', rememberMe: false },
  ])('sign-in with %o', (values) => {
    expect(checkLogin(values)).toEqual(apiVerdict(LoginRequestSchema, values));
  });

  it.each([
    { name: '  Ada Lovelace ', email: 'ada@example.com', password: 'a long passphrase' },
    { name: '   ', email: 'ada@', password: 'short' },
    { name: long(101), email: 'ada@example.com', password: long(129) },
    { name: 'Ada', email: 'ada@example.com', password: long(8) },
  ])('registration with %o', (values) => {
    expect(checkRegistration(values)).toEqual(apiVerdict(RegisterRequestSchema, values));
  });

  it.each([
    { currentPassword: 'old password', newPassword: 'a brand new passphrase' },
    { currentPassword: '', newPassword: 'short' },
    { currentPassword: 'old password', newPassword: long(129) },
  ])('password change with %o', (values) => {
    expect(checkPasswordChange(values)).toEqual(apiVerdict(ChangePasswordRequestSchema, values));
  });

  it.each([{ password: 'correct horse' }, { password: '' }, { password: 'correct horse', code: '123456' }])('re-authentication with %o', (values) => {
    expect(checkReauth(values)).toEqual(apiVerdict(ReauthRequestSchema, values));
  });

  it('asks for a missing code where the API would (in the second step’s words)', () => {
    const values = { password: '', code: '  ' };
    expect(Object.keys(checkReauth(values).errors ?? {})).toEqual(Object.keys(apiVerdict(ReauthRequestSchema, values).errors ?? {}));
    expect(checkReauth(values).errors?.code).toBe('Enter the code.');
  });
});

describe('where the wording differs on purpose', () => {
  // The API's schema for a password being proven has no message of its own for the length bound.
  it('flags an over-long password being proven, with a clearer message than the API', () => {
    const login = { email: 'ada@example.com', password: long(129), rememberMe: false };
    expect(checkLogin(login).errors).toEqual({ password: 'Use at most 128 characters' });
    expect(Object.keys(apiVerdict(LoginRequestSchema, login).errors ?? {})).toEqual(['password']);

    const change = { currentPassword: long(129), newPassword: 'a brand new passphrase' };
    expect(checkPasswordChange(change).errors).toEqual({ currentPassword: 'Use at most 128 characters' });
    expect(Object.keys(apiVerdict(ChangePasswordRequestSchema, change).errors ?? {})).toEqual(['currentPassword']);
  });

  it('is looser than the API: an address only the API refuses is sent, and the API names the problem', () => {
    expect(checkLogin({ email: 'a..b@example.com', password: 'pw', rememberMe: false }).errors).toBeNull();
    expect(apiVerdict(LoginRequestSchema, { email: 'a..b@example.com', password: 'pw' }).errors).toEqual({
      email: 'Enter a valid email address',
    });
  });
});

import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import {
  ChangePasswordRequestSchema,
  ChangePasswordResponseSchema,
  LoginRequestSchema,
  MeResponseSchema,
  ReauthRequestSchema,
  ReauthResponseSchema,
  RegisterRequestSchema,
  RegisterResponseSchema,
} from '@gatehouse/types/auth';
import { PasswordLoginResponseSchema } from '@gatehouse/types/second-factor';
import { SessionLimitResolveRequestSchema } from '@gatehouse/types/sessions';
import { addOperation, json, jsonBody, SETS_SESSION_COOKIE } from './operations';

const RegisterRequest = RegisterRequestSchema.meta({ id: 'RegisterRequest' });
const RegisterResponse = RegisterResponseSchema.meta({ id: 'RegisterResponse' });
const LoginRequest = LoginRequestSchema.meta({ id: 'LoginRequest' });
const PasswordLoginResponse = PasswordLoginResponseSchema.meta({ id: 'PasswordLoginResponse' });
const SessionLimitResolveRequest = SessionLimitResolveRequestSchema.meta({ id: 'SessionLimitResolveRequest' });
const MeResponse = MeResponseSchema.meta({ id: 'MeResponse' });
const ReauthRequest = ReauthRequestSchema.meta({ id: 'ReauthRequest' });
const ReauthResponse = ReauthResponseSchema.meta({ id: 'ReauthResponse' });
const ChangePasswordRequest = ChangePasswordRequestSchema.meta({ id: 'ChangePasswordRequest' });
const ChangePasswordResponse = ChangePasswordResponseSchema.meta({ id: 'ChangePasswordResponse' });

/** auth/router.ts and auth/registration-router.ts. */
export function describeAuth(api: OpenAPIRegistry): void {
  addOperation(api, {
    method: 'post',
    path: '/api/auth/register',
    tags: ['Auth'],
    summary: 'Create an account',
    description: [
      'The password must have 8–128 characters and not be a common one. No session starts: a link to confirm the address is mailed,',
      'and following it signs the browser in (`POST /api/auth/email/verify`); signing in with the password works too unless',
      '`REQUIRE_VERIFIED_EMAIL` is on. The answer is the same when the address already has an account (its owner is told by mail),',
      'so registration tells nobody who has an account. Registrations and mail are limited per IP address and per address.',
      'A password found in a breach corpus is refused (`password_breached`), looked up by k-anonymity: only five hex digits of its SHA-1 leave the server;',
      'when the look-up service is down or slow (1.5 s) the password is accepted.',
    ].join(' '),
    access: 'public',
    request: { body: jsonBody(RegisterRequest) },
    responses: { 202: json('Accepted: check your inbox. `mail: "unavailable"` when the server cannot send mail.', RegisterResponse) },
    errors: { 400: ['validation_failed', 'password_breached'], 429: ['too_many_requests'] },
  });
  addOperation(api, {
    method: 'post',
    path: '/api/auth/login',
    tags: ['Auth'],
    summary: 'Sign in with email and password',
    description: [
      'Starts a new session (a new id, never the one the browser had). `rememberMe` makes the cookie persistent with the longer idle timeout.',
      'Guessing is throttled before any password is checked, per email and address, per email, per address, and per known browser (device cookie).',
      'An account with a second factor is not signed in yet: the answer is `secondFactorRequired` with the methods to use, and the browser holds a',
      'pending sign-in that grants nothing until `POST /api/auth/login/second-factor` completes it.',
      'With `MAX_SESSIONS_PER_ACCOUNT` and `SESSION_LIMIT_POLICY=refuse`, an account at its cap gets 409 `session_limit_reached` after every proof,',
      'with `error.sessionLimit`: its sessions and a ticket for `POST /api/auth/login/session-limit`.',
      'The password is looked up in a breach corpus at each sign-in (k-anonymity, while it is hashed); a breached one still signs in, and',
      '`GET /api/auth/me` then says `user.passwordBreached: true`.',
    ].join(' '),
    access: 'public',
    request: { body: jsonBody(LoginRequest) },
    responses: { 200: json('Signed in (`user`), or the second factor is required (`secondFactorRequired`).', PasswordLoginResponse, SETS_SESSION_COOKIE) },
    errors: {
      400: ['validation_failed'],
      401: ['invalid_credentials'],
      403: ['account_disabled', 'email_unverified'],
      409: ['account_changed', 'session_limit_reached'],
      429: ['too_many_requests'],
    },
  });
  addOperation(api, {
    method: 'post',
    path: '/api/auth/login/session-limit',
    tags: ['Auth'],
    summary: 'End one session and finish a sign-in refused at the session cap',
    description: [
      'After 409 `session_limit_reached` (`SESSION_LIMIT_POLICY=refuse`): `ticket` from that answer, `endSession` the handle of one of the sessions it listed.',
      'The ticket is single-use, expires with `SECOND_FACTOR_TIMEOUT_SECONDS`, works only in the browser that proved the sign-in (its device cookie),',
      'and only while the account is as it was then. The chosen session ends, and the sign-in finishes with the proof it was refused for;',
      'if another sign-in took the place meanwhile, the answer is 409 `session_limit_reached` again, with a new ticket.',
    ].join(' '),
    access: 'public',
    request: { body: jsonBody(SessionLimitResolveRequest) },
    responses: { 200: json('Signed in (`user`), or the second factor is required (`secondFactorRequired`).', PasswordLoginResponse, SETS_SESSION_COOKIE) },
    errors: {
      400: ['validation_failed', 'invalid_token'],
      403: ['account_disabled', 'email_unverified'],
      409: ['account_changed', 'session_limit_reached'],
    },
  });
  addOperation(api, {
    method: 'post',
    path: '/api/auth/logout',
    tags: ['Auth'],
    summary: 'Sign out',
    description:
      'Ends this session on every instance, clears the cookie and asks the browser to drop its cache and storage (`Clear-Site-Data`). Takes no body; answers 204 whether or not anyone was signed in.',
    access: 'public',
    responses: { 204: { description: 'Signed out (or already was).' } },
  });
  addOperation(api, {
    method: 'get',
    path: '/api/auth/me',
    tags: ['Auth'],
    summary: 'The signed-in person and this session',
    description:
      "`user.passwordBreached`: the password proven at this session's sign-in was found in a breach corpus (looked up at each sign-in); a password change clears it.",
    access: 'signed-in',
    responses: { 200: json("Who is signed in, and this session's deadlines.", MeResponse) },
  });
  addOperation(api, {
    method: 'post',
    path: '/api/auth/reauth',
    tags: ['Auth'],
    summary: 'Confirm the password again (sudo mode)',
    description:
      'Sensitive actions (password change, revoking other sessions, every admin change) need a password proof younger than `REAUTH_WINDOW_SECONDS`. The session moves to a new id.',
    access: 'signed-in',
    request: { body: jsonBody(ReauthRequest) },
    responses: { 200: json('Confirmed; `session.authenticatedAt` is now.', ReauthResponse, SETS_SESSION_COOKIE) },
    errors: { 400: ['validation_failed'], 401: ['invalid_credentials'], 403: ['account_disabled'], 409: ['account_changed'], 429: ['too_many_requests'] },
  });
  addOperation(api, {
    method: 'post',
    path: '/api/auth/password',
    tags: ['Auth'],
    summary: 'Change the password',
    description:
      'Needs a recent password proof (`POST /api/auth/reauth`). Ends every other session of the account; this one continues under a new id, no longer flagged `passwordBreached`. A new password found in a breach corpus is refused (`password_breached`).',
    access: 'signed-in',
    request: { body: jsonBody(ChangePasswordRequest) },
    responses: { 200: json('Changed.', ChangePasswordResponse, SETS_SESSION_COOKIE) },
    errors: {
      400: ['validation_failed', 'password_breached'],
      401: ['invalid_credentials'],
      403: ['reauth_required'],
      409: ['account_changed'],
      429: ['too_many_requests'],
    },
  });
}

import supertest from 'supertest';
import type { Response } from 'supertest';
import { expect } from 'vitest';
import { SESSIONS_COLLECTION } from '../sessions/registry';
import type { SessionDocument } from '../sessions/store';
import { createAccount, DESKTOP_FIREFOX, newCredentials } from './accounts';
import type { Account, Credentials } from './accounts';
import { cookieHeader, findCookie, issuedSessionCookie, unsignSid } from './cookies';
import type { TestApp } from './test-app';
import { TEST_SECRET } from './test-config';

/**
 * An app in this process, the base URL of one running as its own process, or a client (a supertest
 * agent, which then keeps the session's cookie) of either.
 */
export type ApiTarget = Pick<TestApp, 'app' | 'config'> | string | supertest.Agent;

function isAgent(target: ApiTarget): target is supertest.Agent {
  return typeof target === 'object' && !('config' in target);
}

export interface SignedIn {
  /** A cookie-keeping client, like one browser. */
  agent: supertest.Agent;
  /** `gh.sid=…`, for requests outside the agent (another instance, a raw request, an SSE stream). */
  cookie: string;
  sid: string;
  /** The response that signed in. */
  response: Response;
}

export interface SignInOptions {
  userAgent?: string;
  rememberMe?: boolean;
  /** Reuse a client (and so its device cookie) instead of a new one. */
  agent?: supertest.Agent;
  /** The secret that signed the cookie, when the target is a process with its own. */
  secret?: string;
}

function agentFor(target: ApiTarget): supertest.Agent {
  if (isAgent(target)) return target;
  return typeof target === 'string' ? supertest.agent(target) : supertest.agent(target.app);
}

function secretOf(target: ApiTarget, secret?: string): string {
  return secret ?? (typeof target === 'string' || isAgent(target) ? TEST_SECRET : (target.config.sessionSecrets[0] ?? TEST_SECRET));
}

function signedIn(target: ApiTarget, agent: supertest.Agent, response: Response, secret?: string): SignedIn {
  const cookie = issuedSessionCookie(response);
  return { agent, response, cookie: cookieHeader(cookie), sid: unsignSid(cookie, secretOf(target, secret)) };
}

/** Signs in through the API, the one way every test does it. */
export async function signIn(target: ApiTarget, account: Pick<Credentials, 'email' | 'password'>, options: SignInOptions = {}): Promise<SignedIn> {
  const { userAgent = DESKTOP_FIREFOX, rememberMe = false } = options;
  const agent = options.agent ?? agentFor(target);
  const res = await agent.post('/api/auth/login').set('User-Agent', userAgent).send({ email: account.email, password: account.password, rememberMe });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return signedIn(target, agent, res, options.secret);
}

/**
 * Registers through the API, then signs in: registration answers 202 and starts no session (S34), so this
 * is the one place a test gets a new account with a session through the API. Use it where registration
 * belongs to the story or no database is at hand; otherwise `createAccount`.
 */
export async function register(
  target: ApiTarget,
  overrides: Partial<Credentials> = {},
  options: SignInOptions = {},
): Promise<Credentials & { id: string } & SignedIn> {
  const credentials = newCredentials(overrides);
  const agent = options.agent ?? agentFor(target);
  const res = await agent
    .post('/api/auth/register')
    .set('User-Agent', options.userAgent ?? DESKTOP_FIREFOX)
    .send(credentials);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  expect(findCookie(res), 'registration starts no session').toBeUndefined();
  const signedInNow = await signIn(target, credentials, { ...options, agent });
  return { ...credentials, id: (signedInNow.response.body as { user: { id: string } }).user.id, ...signedInNow };
}

export async function signInAdmin(t: TestApp): Promise<{ account: Account } & SignedIn> {
  const account = await createAccount(t, { role: 'admin', name: 'Grace Admin' });
  return { account, ...(await signIn(t, account)) };
}

export function sessionDocs(t: Pick<TestApp, 'connection'>, filter: Record<string, unknown> = {}) {
  return t.connection.collection<SessionDocument>(SESSIONS_COLLECTION).find(filter).toArray();
}

export function sessionDoc(t: Pick<TestApp, 'connection'>, sid: string) {
  return t.connection.collection<SessionDocument>(SESSIONS_COLLECTION).findOne({ _id: sid });
}

/** Moves the last proof of identity out of the sudo window, as if it was given long ago. */
export async function makeAuthStale(t: Pick<TestApp, 'connection'>, sid: string): Promise<void> {
  await t.connection.collection<SessionDocument>(SESSIONS_COLLECTION).updateOne({ _id: sid }, { $set: { 'session.authenticatedAt': 0 } });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One account with `count` sessions, all made through the API: registration (and its sign-in), then more sign-ins. */
export async function registerWithSessions(
  target: ApiTarget,
  count: number,
  options: SignInOptions = {},
): Promise<Credentials & { id: string; cookies: string[] }> {
  const registered = await register(target, { name: 'Reliability' }, options);
  const cookies = [registered.cookie];
  for (let index = 1; index < count; index += 1) cookies.push((await signIn(target, registered, options)).cookie);
  const { name, email, password, id } = registered;
  return { name, email, password, id, cookies };
}

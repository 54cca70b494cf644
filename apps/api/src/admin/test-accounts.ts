import supertest from 'supertest';
import { expect } from 'vitest';
import type { Role } from '@gatehouse/types/users';
import { hashPassword } from '../auth/passwords';
import { cookieHeader, issuedCookie, newCredentials, unsignSid } from '../test/fixtures';
import type { Credentials } from '../test/fixtures';
import type { TestApp } from '../test/test-app';
import { TEST_HASHING_COST, TEST_SECRET } from '../test/test-config';
import { getUserModel } from '../users/user-model';

export interface Account extends Credentials {
  id: string;
  role: Role;
}

export interface SignedIn {
  agent: supertest.Agent;
  /** `name=value`, for requests outside the agent (another instance, a raw SSE request). */
  cookie: string;
  sid: string;
}

export const DESKTOP_FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
export const IPHONE_SAFARI =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

/** Accounts straight into the database: registering through the API would trip its per-IP throttle. */
export async function createAccount(t: TestApp, { role = 'user', ...overrides }: Partial<Credentials> & { role?: Role } = {}): Promise<Account> {
  const credentials = newCredentials(overrides);
  const user = await getUserModel(t.connection).create({
    name: credentials.name,
    email: credentials.email,
    passwordHash: await hashPassword(credentials.password, TEST_HASHING_COST),
    role,
    disabledAt: null,
  });
  return { ...credentials, id: user._id.toString(), role };
}

export async function signIn(
  t: Pick<TestApp, 'agent'>,
  account: Pick<Credentials, 'email' | 'password'>,
  { userAgent = DESKTOP_FIREFOX, rememberMe = false }: { userAgent?: string; rememberMe?: boolean } = {},
): Promise<SignedIn> {
  const agent = t.agent();
  const res = await agent.post('/api/auth/login').set('User-Agent', userAgent).send({ email: account.email, password: account.password, rememberMe });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const cookie = issuedCookie(res);
  return { agent, cookie: cookieHeader(cookie), sid: unsignSid(cookie, TEST_SECRET) };
}

/** Moves the proof of password out of the sudo window, as if it was given long ago. */
export async function makeAuthStale(t: TestApp, sid: string): Promise<void> {
  await t.connection.collection<{ _id: string }>('sessions').updateOne({ _id: sid }, { $set: { 'session.authenticatedAt': 0 } });
}

export async function signInAdmin(t: TestApp): Promise<{ account: Account } & SignedIn> {
  const account = await createAccount(t, { role: 'admin', name: 'Grace Admin' });
  return { account, ...(await signIn(t, account)) };
}

export function asAnonymous(t: TestApp): supertest.Agent {
  return supertest.agent(t.app);
}

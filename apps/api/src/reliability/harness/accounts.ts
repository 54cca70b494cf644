import { randomUUID } from 'node:crypto';
import type { Agent } from 'node:http';
import { httpRequest, parseJson, sessionCookie } from './http-client';

export const PASSWORD = 'correct horse battery staple';

export interface SignedInUser {
  id: string;
  email: string;
  /** One `gh.sid=…` cookie per session, the first from registration. */
  cookies: string[];
}

/**
 * One account with `sessions` sessions, all made through the API (registration, then sign-ins). The
 * spawned API hashes with the production argon2 cost and throttles registrations per IP, so tests
 * register few accounts and sign in many times.
 */
export async function signedInUser(baseUrl: string, sessions: number, agent?: Agent): Promise<SignedInUser> {
  const email = `r-${randomUUID().slice(0, 8)}@example.com`;
  const registered = await httpRequest(baseUrl, '/api/auth/register', { method: 'POST', json: { name: 'Reliability', email, password: PASSWORD }, agent });
  if (registered.status !== 201) throw new Error(`registration failed: ${registered.status} ${registered.body}`);
  const { user } = parseJson<{ user: { id: string } }>(registered);
  const cookies = [sessionCookie(registered)];
  for (let index = 1; index < sessions; index += 1) cookies.push(await signIn(baseUrl, email, agent));
  return { id: user.id, email, cookies };
}

export async function signIn(baseUrl: string, email: string, agent?: Agent): Promise<string> {
  const res = await httpRequest(baseUrl, '/api/auth/login', { method: 'POST', json: { email, password: PASSWORD }, agent });
  if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${res.body}`);
  return sessionCookie(res);
}

/** Status of GET /api/auth/me for each cookie, in order. */
export function meStatuses(baseUrl: string, cookies: readonly string[], agent?: Agent): Promise<number[]> {
  return Promise.all(cookies.map(async (cookie) => (await httpRequest(baseUrl, '/api/auth/me', { cookie, agent })).status));
}

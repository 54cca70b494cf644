import { randomUUID } from 'node:crypto';
import signature from 'cookie-signature';
import { parseSetCookie } from 'set-cookie-parser';
import type { Cookie } from 'set-cookie-parser';
import type supertest from 'supertest';
import type { Response } from 'supertest';
import { expect } from 'vitest';
import type { TestApp } from './test-app';

export const STRONG_PASSWORD = 'correct horse battery staple';

export interface Credentials {
  name: string;
  email: string;
  password: string;
}

export function newCredentials(overrides: Partial<Credentials> = {}): Credentials {
  return { name: 'Ada Lovelace', email: `ada-${randomUUID().slice(0, 8)}@example.com`, password: STRONG_PASSWORD, ...overrides };
}

/** Registers through the API with the given agent, which then holds the new session's cookie. */
export async function register(agent: supertest.Agent, overrides: Partial<Credentials> = {}): Promise<Credentials & { id: string }> {
  const credentials = newCredentials(overrides);
  const res = await agent.post('/api/auth/register').send(credentials);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { ...credentials, id: (res.body as { user: { id: string } }).user.id };
}

export async function login(agent: supertest.Agent, credentials: Pick<Credentials, 'email' | 'password'>, rememberMe = false): Promise<Response> {
  const res = await agent.post('/api/auth/login').send({ email: credentials.email, password: credentials.password, rememberMe });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res;
}

export function setCookies(res: Response): Cookie[] {
  const header = (res.headers as Record<string, string | string[] | undefined>)['set-cookie'] ?? [];
  return parseSetCookie(typeof header === 'string' ? [header] : header, { decodeValues: true });
}

export function sessionCookie(res: Response, name = 'gh.sid'): Cookie | undefined {
  return setCookies(res).find((cookie) => cookie.name === name && cookie.value !== '');
}

/** The `name=value` pair a browser would send back. */
export function cookieHeader(cookie: Cookie): string {
  return `${cookie.name}=${encodeURIComponent(cookie.value)}`;
}

/** The raw session id inside a signed cookie value (`s:<sid>.<sig>`). */
export function unsignSid(cookie: Cookie, secret: string): string {
  const sid = signature.unsign(cookie.value.slice(2), secret);
  if (sid === false) throw new Error('cookie signature does not verify');
  return sid;
}

export function signSid(sid: string, secret: string): string {
  return `s:${signature.sign(sid, secret)}`;
}

export function sessionDocs(testApp: TestApp, filter: Record<string, unknown> = {}) {
  return testApp.connection.collection('sessions').find(filter).toArray();
}

export function sessionDoc(testApp: TestApp, sid: string) {
  return testApp.connection.collection<{ _id: string }>('sessions').findOne({ _id: sid });
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The session cookie a response set; fails the test if there is none. */
export function issuedCookie(res: Response, name = 'gh.sid'): Cookie {
  const cookie = sessionCookie(res, name);
  if (!cookie) throw new Error(`expected a ${name} cookie, got: ${JSON.stringify(res.headers['set-cookie'])}`);
  return cookie;
}

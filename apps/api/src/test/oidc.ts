import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import type supertest from 'supertest';
import type { Config } from '../config';
import { startLocalOidcProvider } from '../dev/local-oidc-provider';
import type { LocalOidcProvider } from '../dev/local-oidc-provider';

export const TEST_PUBLIC_URL = 'http://localhost:3000';
export const TEST_CLIENT = { clientId: 'gatehouse-test', clientSecret: 'a-client-secret-for-the-tests-only' };

/** A local OpenID Provider with Gatehouse's test client registered for provider id `test`. */
export function startTestProvider(): Promise<LocalOidcProvider> {
  return startLocalOidcProvider({ clients: [{ ...TEST_CLIENT, redirectUris: [`${TEST_PUBLIC_URL}/api/auth/oidc/test/callback`] }] });
}

/** Config overrides naming that provider "Test IdP" (a different issuer or secret for the failure tests). */
export function providerConfig(issuer: string, overrides: { clientSecret?: string } = {}): Partial<Config> {
  return {
    // Links and the redirect URI are built from PUBLIC_URL: the one registered at the provider.
    mail: {
      smtpUrl: undefined,
      from: 'Gatehouse <no-reply@localhost>',
      publicUrl: TEST_PUBLIC_URL,
      outboxDir: mkdtempSync(join(tmpdir(), 'gatehouse-outbox-')),
    },
    oidcProviders: [
      {
        id: 'test',
        name: 'Test IdP',
        issuer: new URL(issuer),
        clientId: TEST_CLIENT.clientId,
        clientSecret: overrides.clientSecret ?? TEST_CLIENT.clientSecret,
      },
    ],
  };
}

/** A browser's cookie jar for the provider's origin. */
class CookieJar {
  private readonly cookies = new Map<string, string>();
  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const separator = pair.indexOf('=');
      this.cookies.set(pair.slice(0, separator), pair.slice(separator + 1));
    }
  }
  header(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }
}

/**
 * Plays the person at the provider's development pages: follows the authorization URL, signs in as
 * `login` (any password), gives consent, and returns the URL the provider sends the browser back to
 * (Gatehouse's callback). `deny`: cancels at the first page instead.
 */
export async function atProvider(authorizationUrl: string, login: string, { deny = false } = {}): Promise<URL> {
  const jar = new CookieJar();
  let next = new URL(authorizationUrl);
  for (let hop = 0; hop < 12; hop += 1) {
    if (next.origin === TEST_PUBLIC_URL) return next;
    const interaction = /^\/interaction\/([^/]+)$/.exec(next.pathname);
    let response: Response;
    if (interaction && deny) {
      response = await fetch(new URL(`${next.pathname}/abort`, next), { redirect: 'manual', headers: { cookie: jar.header() } });
    } else if (interaction) {
      const page = await fetch(next, { headers: { cookie: jar.header() } });
      jar.store(page);
      const prompt = /name="prompt" value="(\w+)"/.exec(await page.text())?.[1] ?? 'login';
      response = await fetch(next, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ prompt, login, password: 'any password' }).toString(),
      });
    } else {
      response = await fetch(next, { redirect: 'manual', headers: { cookie: jar.header() } });
    }
    jar.store(response);
    const location = response.headers.get('location');
    expect(location, `the provider redirects (hop ${hop}, status ${response.status})`).toBeTruthy();
    next = new URL(location ?? '', next);
  }
  throw new Error('the provider never sent the browser back');
}

/** The path and query of an absolute URL on the app (supertest takes paths). */
export const pathOf = (url: URL | string): string => {
  const parsed = new URL(url, TEST_PUBLIC_URL);
  return `${parsed.pathname}${parsed.search}`;
};

/** Starts a sign-in with the provider in `agent` and returns the provider's URL. */
export async function startAt(agent: supertest.Agent, path = '/api/auth/oidc/test/start'): Promise<string> {
  const res = await agent.get(path);
  expect(res.status, JSON.stringify(res.body)).toBe(302);
  return res.headers.location as string;
}

/** The whole sign-in: start, the provider's pages, the callback; returns the callback's answer. */
export async function signInWithProvider(agent: supertest.Agent, login: string): Promise<supertest.Response> {
  const callback = await atProvider(await startAt(agent), login);
  return agent.get(pathOf(callback));
}

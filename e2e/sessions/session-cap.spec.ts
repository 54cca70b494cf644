import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as apiRequest } from '@playwright/test';
import type { APIRequestContext, Browser, Page } from '@playwright/test';
import { DEVICE_USER_AGENTS, expect, sessionCards, test } from '../fixtures';
import type { Account } from '../fixtures';
import { E2E_PORT, E2E_SERVER_ENV } from '../support/server-env';

/**
 * The session cap needs servers configured otherwise than the one every other spec shares, so this spec
 * starts its own, one per policy, from the same build and with the same environment plus the cap (each
 * with its embedded engine in a directory of its own), and stops them when it is done.
 */
const CAP = 3;
const SERVER_START_MS = 60_000;
// Two browsers and several clients on a machine shared with the rest of the suite's servers.
test.describe.configure({ timeout: 120_000 });

interface CappedServer {
  baseURL: string;
  stop(): Promise<void>;
}

async function startCappedServer(port: number, policy: 'evict-oldest' | 'refuse'): Promise<CappedServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-e2e-cap-'));
  const baseURL = `http://localhost:${port}`;
  const child: ChildProcess = spawn(process.execPath, [join(import.meta.dirname, '../../apps/api/dist/server.js')], {
    env: {
      ...process.env,
      ...E2E_SERVER_ENV,
      OIDC_PROVIDERS: '',
      PUBLIC_URL: baseURL,
      PORT: String(port),
      DATA_DIR: dataDir,
      MAX_SESSIONS_PER_ACCOUNT: String(CAP),
      SESSION_LIMIT_POLICY: policy,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + SERVER_START_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the ${policy} server exited with ${child.exitCode}`);
    const isUp = await fetch(`${baseURL}/api/health`).then(
      (res) => res.ok,
      () => false,
    );
    if (isUp) break;
    if (Date.now() > deadline) throw new Error(`the ${policy} server did not start within ${SERVER_START_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    baseURL,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Registration starts no session; signing in works without the confirmation link (REQUIRE_VERIFIED_EMAIL is off). */
async function register(baseURL: string, clientIp: string): Promise<Account> {
  const account = {
    name: 'Cap Tester',
    email: `cap-${randomBytes(5).toString('hex')}@example.com`,
    password: `correct horse ${randomBytes(6).toString('hex')}`,
  };
  const api = await apiRequest.newContext({ baseURL, extraHTTPHeaders: { 'X-Forwarded-For': clientIp } });
  try {
    expect((await api.post('/api/auth/register', { data: account })).status()).toBe(202);
  } finally {
    await api.dispose();
  }
  return account;
}

/** A client (cookies kept) signed in through the API with the given browser's user agent. */
async function signedInClient(baseURL: string, clientIp: string, account: Account, userAgent: string): Promise<APIRequestContext> {
  const api = await apiRequest.newContext({ baseURL, userAgent, extraHTTPHeaders: { 'X-Forwarded-For': clientIp } });
  const res = await api.post('/api/auth/login', { data: { email: account.email, password: account.password } });
  expect(res.status(), await res.text()).toBe(200);
  return api;
}

async function browserAt(browser: Browser, baseURL: string, clientIp: string, userAgent: string): Promise<Page> {
  const context = await browser.newContext({ baseURL, userAgent, extraHTTPHeaders: { 'X-Forwarded-For': clientIp } });
  return context.newPage();
}

async function signInWithForm(page: Page, account: Account): Promise<void> {
  await page.goto('/login');
  await page.getByLabel('Email').fill(account.email);
  await page.getByLabel('Password').fill(account.password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

const allSessions = (page: Page) => page.getByRole('region', { name: 'All your sessions' });

test.describe('session cap: MAX_SESSIONS_PER_ACCOUNT=3, evict-oldest', () => {
  let server: CappedServer;
  test.beforeAll(async () => {
    server = await startCappedServer(E2E_PORT + 21, 'evict-oldest');
  });
  test.afterAll(async () => {
    await server.stop();
  });

  test('S46: the dashboard says "N of 3 sessions"; a 4th sign-in signs the first device out and is recorded', async ({ browser, clientIp }) => {
    const account = await register(server.baseURL, clientIp);
    const first = await browserAt(browser, server.baseURL, clientIp, DEVICE_USER_AGENTS.linuxChrome);
    await signInWithForm(first, account);
    await expect(allSessions(first).getByText('1 of 3 sessions')).toBeVisible();

    const others = [
      await signedInClient(server.baseURL, clientIp, account, DEVICE_USER_AGENTS.windowsFirefox),
      await signedInClient(server.baseURL, clientIp, account, DEVICE_USER_AGENTS.windowsFirefox),
    ];
    // The live stream brings the new sessions in without a reload.
    await expect(allSessions(first).getByText('3 of 3 sessions')).toBeVisible();
    await expect(sessionCards(allSessions(first))).toHaveCount(3);

    const fourth = await browserAt(browser, server.baseURL, clientIp, DEVICE_USER_AGENTS.macSafari);
    await signInWithForm(fourth, account);
    await expect(allSessions(fourth).getByText('3 of 3 sessions')).toBeVisible();

    // The first device, least recently active, is signed out where it stands, and its cookie is refused.
    await expect(first.getByRole('heading', { name: 'Signed out' })).toBeVisible();
    expect((await first.request.get('/api/auth/me')).status()).toBe(401);
    for (const other of others) expect((await other.get('/api/auth/me')).status()).toBe(200);
    const list = (await (await fourth.request.get('/api/sessions')).json()) as { sessions: unknown[]; cap: { max: number } };
    expect(list.sessions).toHaveLength(3);
    expect(list.cap.max).toBe(3);

    await expect(fourth.getByRole('region', { name: 'Recent activity' }).getByText('Session evicted', { exact: true })).toBeVisible();
    await Promise.all([...others.map((other) => other.dispose()), first.context().close(), fourth.context().close()]);
  });
});

test.describe('session cap: MAX_SESSIONS_PER_ACCOUNT=3, refuse', () => {
  let server: CappedServer;
  test.beforeAll(async () => {
    server = await startCappedServer(E2E_PORT + 22, 'refuse');
  });
  test.afterAll(async () => {
    await server.stop();
  });

  test('S46: the 4th sign-in lists the sessions; ending one signs in, and the ended one is refused', async ({ browser, clientIp }) => {
    const account = await register(server.baseURL, clientIp);
    const sessions = [
      await signedInClient(server.baseURL, clientIp, account, DEVICE_USER_AGENTS.linuxChrome),
      await signedInClient(server.baseURL, clientIp, account, DEVICE_USER_AGENTS.windowsFirefox),
      await signedInClient(server.baseURL, clientIp, account, DEVICE_USER_AGENTS.windowsFirefox),
    ];

    const page = await browserAt(browser, server.baseURL, clientIp, DEVICE_USER_AGENTS.macSafari);
    await signInWithForm(page, account);
    const choice = page.getByRole('region', { name: 'Too many sessions' });
    await expect(choice).toBeVisible();
    await expect(choice.getByText('This account may be signed in on 3 devices at a time.', { exact: false })).toBeVisible();
    await expect(choice.getByRole('listitem')).toHaveCount(3);
    for (const session of sessions) expect((await session.get('/api/auth/me')).status()).toBe(200);

    await choice.getByRole('button', { name: 'End the session on Chrome 131 on Linux and sign in' }).click();
    await expect(allSessions(page).getByText('3 of 3 sessions')).toBeVisible();
    await expect(page).toHaveURL(/\/$/);

    const [ended, ...kept] = sessions;
    expect((await ended?.get('/api/auth/me'))?.status()).toBe(401);
    for (const session of kept) expect((await session.get('/api/auth/me')).status()).toBe(200);
    await Promise.all([...sessions.map((session) => session.dispose()), page.context().close()]);
  });
});

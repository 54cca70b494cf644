import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { defineConfig, devices } from '@playwright/test';
import { E2E_DATA_DIR_VARIABLE, E2E_OIDC_CLIENT, E2E_OIDC_PORT, E2E_SERVER_ENV, e2eBaseURL, e2eOidcIssuer, E2E_PORT } from './support/server-env';

// One fresh data directory per run. The config is loaded again in every worker, so the first load
// (the runner) picks the path and the workers inherit it through the environment.
process.env[E2E_DATA_DIR_VARIABLE] ??= join(tmpdir(), `gatehouse-e2e-${randomUUID()}`);
const dataDir = process.env[E2E_DATA_DIR_VARIABLE];

const systemChromium = '/usr/bin/chromium';
const isRoot = process.getuid?.() === 0;

export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  forbidOnly: !!process.env.CI,
  retries: process.env.CI ? 1 : 0,
  // Two cores: the API, its embedded engine and Chromium already compete for them.
  workers: 1,
  fullyParallel: false,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [['list'], ['html', { open: 'never' }]],
  globalSetup: './support/global-setup.ts',
  use: {
    baseURL: e2eBaseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        launchOptions: {
          // The distribution's Chromium when present (CI installs it with apt); else Playwright's own.
          ...(existsSync(systemChromium) ? { executablePath: systemChromium } : {}),
          ...(isRoot
            ? { args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] }
            : {}),
        },
      },
    },
  ],
  webServer: [
    {
      // A real OpenID Provider on this machine: its development pages sign in any name (apps/api/src/dev).
      command: [
        'npx tsx ../apps/api/src/dev/local-oidc-provider.ts',
        `--port ${E2E_OIDC_PORT}`,
        `--client-id ${E2E_OIDC_CLIENT.id} --client-secret ${E2E_OIDC_CLIENT.secret}`,
        `--redirect-uri ${e2eBaseURL}/api/auth/oidc/test/callback`,
      ].join(' '),
      url: `${e2eOidcIssuer}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'ignore',
      stderr: 'ignore',
    },
    {
      // The built API, serving the built SPA, exactly as `npm start` runs it; the embedded engine starts
      // inside it with its data in the run's own directory.
      command: 'node ../apps/api/dist/server.js',
      url: `${e2eBaseURL}/api/health`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: 'ignore',
      stderr: 'pipe',
      env: { ...E2E_SERVER_ENV, PORT: String(E2E_PORT), DATA_DIR: dataDir ?? '' },
    },
  ],
});

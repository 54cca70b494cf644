import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from '@playwright/test';
import type { Browser } from '@playwright/test';

/**
 * Chromium's device-bound sessions with software keys (no TPM needed), as its own switches name them.
 * They go last: Chromium keeps the last --enable-features it is given.
 */
export const DBSC_FEATURES =
  '--enable-features=DeviceBoundSessions,EnableBoundSessionCredentialsSoftwareKeysForManualTesting,DeviceBoundSessionProactiveRefresh:Threshold/0s';

const extracted = join(import.meta.dirname, '..', '..', '.cache', 'dbsc-chromium', 'usr', 'lib', 'chromium', 'chromium');

/** A Chromium that can bind sessions on this machine: DBSC_CHROMIUM, or the one install-dbsc-chromium.sh put aside. */
export function dbscChromiumPath(): string {
  const path = process.env.DBSC_CHROMIUM ?? extracted;
  if (!existsSync(path)) {
    throw new Error(`No Chromium with device-bound session test keys at ${path}: run e2e/support/install-dbsc-chromium.sh or set DBSC_CHROMIUM`);
  }
  return path;
}

export function launchDbscBrowser(): Promise<Browser> {
  const rootArgs = process.getuid?.() === 0 ? ['--no-sandbox', '--disable-gpu'] : [];
  return chromium.launch({ executablePath: dbscChromiumPath(), args: [...rootArgs, DBSC_FEATURES] });
}

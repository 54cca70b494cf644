import { randomUUID } from 'node:crypto';
import type { Role } from '@gatehouse/types/users';
import { hashPassword } from '../auth/passwords';
import { getUserModel } from '../users/user-model';
import type { TestApp } from './test-app';
import { TEST_HASHING_COST } from './test-config';

export const STRONG_PASSWORD = 'correct horse battery staple';

export const DESKTOP_FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
export const IPHONE_SAFARI =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

export interface Credentials {
  name: string;
  email: string;
  password: string;
}

export interface Account extends Credentials {
  id: string;
  role: Role;
}

export function newCredentials(overrides: Partial<Credentials> = {}): Credentials {
  return { name: 'Ada Lovelace', email: `ada-${randomUUID().slice(0, 8)}@example.com`, password: STRONG_PASSWORD, ...overrides };
}

/**
 * An account straight into the database: registering through the API would trip its per-IP throttle.
 * Its address is confirmed unless `emailVerified: false` (second factors need a confirmed one, S43).
 */
export async function createAccount(
  t: Pick<TestApp, 'connection'>,
  { role = 'user', emailVerified = true, ...overrides }: Partial<Credentials> & { role?: Role; emailVerified?: boolean } = {},
): Promise<Account> {
  const credentials = newCredentials(overrides);
  const user = await getUserModel(t.connection).create({
    name: credentials.name,
    email: credentials.email,
    passwordHash: await hashPassword(credentials.password, TEST_HASHING_COST),
    role,
    disabledAt: null,
    emailVerifiedAt: emailVerified ? new Date() : null,
    accountVersion: 0,
  });
  return { ...credentials, id: user._id.toString(), role };
}

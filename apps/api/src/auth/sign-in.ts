import type { Request, Response } from 'express';
import type { AuthMethod, Device } from '@gatehouse/types/sessions';
import type { Config } from '../config';
import { deviceIdentity, issueDeviceCookie } from '../devices/device-cookie';
import type { KnownDevices } from '../devices/known-devices';
import { emailUnverified } from '../http/errors';
import { parseDevice } from '../sessions/device';
import type { AccountState, SessionRegistry } from '../sessions/registry';

export interface SeenFrom {
  device: Device;
  ip: string | null;
}

export function seenFrom(req: Request): SeenFrom {
  return { device: parseDevice(req.get('user-agent')), ip: req.ip ?? null };
}

export interface SignInDeps {
  config: Pick<Config, 'deviceCookieName' | 'sessionSecrets' | 'isProduction' | 'requireVerifiedEmail'>;
  registry: Pick<SessionRegistry, 'start'>;
  devices: Pick<KnownDevices, 'recordSignIn' | 'countForUser'>;
  /** A browser the account had never used, and not its first: the owner gets a mail. */
  onNewDevice(account: AccountState, seen: SeenFrom & { at: Date }): Promise<void>;
  /** REQUIRE_VERIFIED_EMAIL refused a sign-in: a fresh link goes to the address. */
  onUnverified(account: AccountState): Promise<void>;
}

export type SignIn = (req: Request, res: Response, account: AccountState, options: { rememberMe: boolean; authMethods: AuthMethod[] }) => Promise<void>;

/**
 * After a proof (password, second factor, a link from a mail): a new session (S3), the browser's device
 * cookie, and the device remembered for the account. Every way of signing in goes through here.
 */
export function createSignIn({ config, registry, devices, onNewDevice, onUnverified }: SignInDeps): SignIn {
  return async (req, res, account, { rememberMe, authMethods }) => {
    // A link from the mail proves the address; any other proof needs it proven before, if so configured.
    if (config.requireVerifiedEmail && !account.user.emailVerified && !authMethods.includes('email_link')) {
      await onUnverified(account);
      throw emailUnverified();
    }
    const identity = deviceIdentity(req, config);
    const seen = seenFrom(req);
    await registry.start(req, { account, authMethods, rememberMe, deviceKey: identity.key, ...seen });
    issueDeviceCookie(res, identity, config);
    const { isNew } = await devices.recordSignIn(account.user.id, identity.key, seen);
    if (isNew && (await devices.countForUser(account.user.id)) > 1) await onNewDevice(account, { ...seen, at: new Date() });
  };
}

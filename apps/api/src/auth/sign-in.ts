import type { Request, Response } from 'express';
import type { AuthMethod, Device } from '@gatehouse/types/sessions';
import type { Config } from '../config';
import { deviceIdentity, issueDeviceCookie } from '../devices/device-cookie';
import type { KnownDevices } from '../devices/known-devices';
import { parseDevice } from '../sessions/device';
import type { AccountState, SessionRegistry } from '../sessions/registry';

/** Where a request comes from, as sessions and activity record it. */
export function requestContext(req: Request): { device: Device; ip: string | null } {
  return { device: parseDevice(req.get('user-agent')), ip: req.ip ?? null };
}

export interface SignInDeps {
  config: Pick<Config, 'deviceCookieName' | 'sessionSecrets' | 'isProduction'>;
  registry: Pick<SessionRegistry, 'start'>;
  devices: Pick<KnownDevices, 'recordSignIn'>;
}

/** Completes a sign-in, whichever proofs it took: the account state must be the one read before the proof (S31). */
export type SignIn = (req: Request, res: Response, account: AccountState, options: { rememberMe: boolean; authMethods: AuthMethod[] }) => Promise<void>;

/** After a proof: a new session (S3), the browser's device cookie, and the device remembered for the account. */
export function createSignIn({ config, registry, devices }: SignInDeps): SignIn {
  return async (req, res, account, { rememberMe, authMethods }) => {
    const identity = deviceIdentity(req, config);
    const seen = requestContext(req);
    await registry.start(req, { account, authMethods, rememberMe, deviceKey: identity.key, ...seen });
    issueDeviceCookie(res, identity, config);
    await devices.recordSignIn(account.user.id, identity.key, seen);
  };
}

import { Router } from 'express';
import type { RequestHandler } from 'express';
import { OidcProviderParamsSchema } from '@gatehouse/types/oidc';
import type { ConnectionsResponse, OidcRedirectResponse } from '@gatehouse/types/oidc';
import type { ActivityLog } from '../activity/activity-log';
import { HttpError, notFound } from '../http/errors';
import type { PasskeyStore } from '../passkeys/passkey-store';
import { seenFrom } from '../sessions/device';
import { requireUser, signedInUser } from '../sessions/signed-in';
import type { UserDirectory } from '../users/directory';
import type { OidcIdentities } from './identities';
import type { ProviderClients } from './provider-clients';
import type { ProviderTrips } from './trips';

export interface ConnectionsRouterDeps {
  clients: ProviderClients;
  trips: ProviderTrips;
  identities: Pick<OidcIdentities, 'listForUser' | 'unlink'>;
  users: Pick<UserDirectory, 'hasPassword'>;
  passkeys: Pick<PasskeyStore, 'countForUser'>;
  activity: Pick<ActivityLog, 'record'>;
  requireFreshAuth: RequestHandler;
}

const lastSignInMethod = () =>
  new HttpError(409, 'last_sign_in_method', 'This is the only way you sign in. Set a password or add a passkey before disconnecting it.');

/**
 * Mounted at /api/account/connections: the provider accounts connected to the signed-in account.
 * Connecting and disconnecting need a fresh proof (S13); the last way to sign in cannot be removed.
 */
export function createConnectionsRouter(deps: ConnectionsRouterDeps): Router {
  const { clients, trips, identities, users, passkeys, activity, requireFreshAuth } = deps;
  const router = Router();
  router.use(requireUser);

  /** Ways in besides the connections: a password, a passkey. */
  const otherWaysIn = async (userId: string) => (await users.hasPassword(userId)) || (await passkeys.countForUser(userId)) > 0;

  router.get('/', async (req, res) => {
    const { userId } = signedInUser(req);
    const [connected, hasOtherWay] = await Promise.all([identities.listForUser(userId), otherWaysIn(userId)]);
    const body: ConnectionsResponse = {
      connections: connected.map((identity) => ({
        provider: identity.provider,
        name: clients.nameOf(identity.provider),
        email: identity.email,
        connectedAt: identity.connectedAt.toISOString(),
        canDisconnect: hasOtherWay || connected.length > 1,
      })),
      available: clients.list(),
    };
    res.json(body);
  });

  /** The provider's URL to connect it: the callback links it to this account, and only this one. */
  router.post('/:provider', requireFreshAuth, async (req, res) => {
    const { provider } = OidcProviderParamsSchema.parse(req.params);
    const client = clients.get(provider);
    if (!client) throw notFound();
    const body: OidcRedirectResponse = await trips.redirectFor(req, res, client, { intent: 'connect', userId: signedInUser(req).userId });
    res.json(body);
  });

  router.delete('/:provider', requireFreshAuth, async (req, res) => {
    const { userId } = signedInUser(req);
    const { provider } = OidcProviderParamsSchema.parse(req.params);
    const connected = await identities.listForUser(userId);
    if (!connected.some((identity) => identity.provider === provider)) throw notFound();
    if (connected.length === 1 && !(await otherWaysIn(userId))) throw lastSignInMethod();
    if (!(await identities.unlink(userId, provider))) throw notFound();
    await activity.record({ userId, type: 'oidc_disconnected', providerName: clients.nameOf(provider), ...seenFrom(req) });
    req.log.info({ authEvent: 'oidc_disconnected', userId }, 'auth: oidc_disconnected');
    res.status(204).end();
  });

  return router;
}

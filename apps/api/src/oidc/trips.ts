import type { Request, Response } from 'express';
import type { OidcRedirectResponse } from '@gatehouse/types/oidc';
import type { Config } from '../config';
import { readCookie } from '../http/cookies';
import { serviceUnavailable } from '../http/errors';
import type { CodeThrottle } from '../throttle/code-throttle';
import { OIDC_FLOW_TTL_SECONDS } from './flows';
import type { OidcFlow, OidcFlows, OidcIntent } from './flows';
import { OidcFailure } from './provider-clients';
import type { ProviderClient, ProviderClients } from './provider-clients';

export type ProviderTrips = ReturnType<typeof createProviderTrips>;

/**
 * Trips to a provider and back, for every purpose (sign-in, connect, confirm it's you): the flow stored
 * server side under a key only this browser's cookie holds (SameSite=Lax, so the provider's top-level
 * redirect back carries it), and taken once when the browser returns (S49).
 */
export function createProviderTrips({
  config,
  clients,
  flows,
  throttle,
}: {
  config: Pick<Config, 'isProduction'>;
  clients: Pick<ProviderClients, 'randomFlowSecrets'>;
  flows: OidcFlows;
  throttle: Pick<CodeThrottle, 'takeProviderStart'>;
}) {
  const cookieName = config.isProduction ? '__Host-gh.oidc' : 'gh.oidc';
  const cookieOptions = { httpOnly: true, secure: config.isProduction, sameSite: 'lax', path: '/' } as const;

  /** Stores the flow, sets the browser's key and returns the provider's URL; 429 past the address's budget. */
  async function begin(req: Request, res: Response, client: ProviderClient, trip: { intent: OidcIntent; userId: string | null; rememberMe?: boolean }) {
    await throttle.takeProviderStart(req.ip ?? 'unknown');
    const flow: OidcFlow = { provider: client.config.id, rememberMe: false, ...trip, ...clients.randomFlowSecrets() };
    const url = await client.authorizationUrl(flow);
    res.cookie(cookieName, await flows.begin(flow), { ...cookieOptions, maxAge: OIDC_FLOW_TTL_SECONDS * 1000 });
    return url;
  }

  return {
    begin,

    /** For a dashboard action (connect, confirm): the provider's URL as JSON, or 503 when it cannot be reached. */
    async redirectFor(req: Request, res: Response, client: ProviderClient, trip: { intent: OidcIntent; userId: string }): Promise<OidcRedirectResponse> {
      try {
        return { url: (await begin(req, res, client, trip)).toString() };
      } catch (error) {
        throw error instanceof OidcFailure ? serviceUnavailable() : error;
      }
    },

    /** The flow this browser began with this provider, once (the cookie goes with it); null when there is none. */
    async take(req: Request, res: Response, provider: string): Promise<OidcFlow | null> {
      const key = readCookie(req, cookieName);
      res.clearCookie(cookieName, cookieOptions);
      return key ? flows.take(key, provider) : null;
    },
  };
}

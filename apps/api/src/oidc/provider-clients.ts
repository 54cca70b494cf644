import * as oidc from 'openid-client';
import type { Assurance } from '@gatehouse/types/sessions';
import type { OidcErrorCode } from '@gatehouse/types/oidc';
import type { OidcProviderConfig } from './oidc-config';
import type { OidcFlow } from './flows';

/** Seconds to wait for a provider (discovery, keys, the token endpoint) before calling it unavailable. */
const PROVIDER_TIMEOUT_SECONDS = 5;

/** What a provider vouches for, from its validated ID token. */
export interface ProviderIdentity {
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
  /**
   * `aal2` when the provider says it checked two factors (`amr` contains `mfa`, RFC 8176); otherwise
   * `aal1`. Gatehouse's own second factor still applies to accounts that have one.
   */
  assurance: Assurance;
}

/** A provider's answer that does not lead anywhere, with the reason the sign-in page shows. */
export class OidcFailure extends Error {
  override name = 'OidcFailure';
  constructor(
    readonly code: OidcErrorCode,
    detail: string,
  ) {
    super(detail);
  }
}

export interface ProviderClient {
  config: OidcProviderConfig;
  /** The provider's authorization URL for this flow (code flow, PKCE S256, state, nonce). */
  authorizationUrl(flow: OidcFlow): Promise<URL>;
  /** Redeems the code of a callback URL for a validated ID token (issuer, audience, expiry, signature, nonce). */
  identityFrom(callbackUrl: URL, flow: OidcFlow): Promise<ProviderIdentity>;
}

export type ProviderClients = ReturnType<typeof createProviderClients>;

function isNetworkFailure(error: unknown): boolean {
  const names = ['TypeError', 'AbortError', 'TimeoutError'];
  return error instanceof Error && (names.includes(error.name) || (error.cause instanceof Error && names.includes(error.cause.name)));
}

function failureOf(error: unknown): OidcFailure {
  if (error instanceof OidcFailure) return error;
  if (error instanceof oidc.AuthorizationResponseError) {
    return new OidcFailure(error.error === 'access_denied' ? 'denied' : 'exchange_failed', `provider answered ${error.error}`);
  }
  if (isNetworkFailure(error)) return new OidcFailure('unavailable', error instanceof Error ? error.message : 'provider unreachable');
  return new OidcFailure('exchange_failed', error instanceof Error ? `${error.name}: ${error.message}` : 'the provider’s answer did not check out');
}

/**
 * One client per configured provider, with openid-client: discovery (cached once it worked), the
 * authorization URL, and the code exchange with every ID-token check the library does. `redirectUri`
 * is `<PUBLIC_URL>/api/auth/oidc/<id>/callback`.
 */
export function createProviderClients(providers: OidcProviderConfig[], publicUrl: string) {
  const callbackUrl = (id: string) => `${publicUrl}/api/auth/oidc/${id}/callback`;

  function clientFor(config: OidcProviderConfig): ProviderClient {
    let discovered: Promise<oidc.Configuration> | null = null;
    const configuration = () => {
      discovered ??= oidc
        .discovery(config.issuer, config.clientId, { redirect_uris: [callbackUrl(config.id)] }, oidc.ClientSecretPost(config.clientSecret), {
          timeout: PROVIDER_TIMEOUT_SECONDS,
          // Only a loopback http issuer outside production gets here (oidc-config.ts refuses the rest).
          ...(config.issuer.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {}),
        })
        .then((found) => {
          found.timeout = PROVIDER_TIMEOUT_SECONDS;
          return found;
        })
        .catch((error: unknown) => {
          // A provider that was down is asked again next time.
          discovered = null;
          throw error;
        });
      return discovered;
    };

    return {
      config,

      async authorizationUrl(flow) {
        try {
          return oidc.buildAuthorizationUrl(await configuration(), {
            redirect_uri: callbackUrl(config.id),
            scope: 'openid email profile',
            code_challenge: await oidc.calculatePKCECodeChallenge(flow.codeVerifier),
            code_challenge_method: 'S256',
            state: flow.state,
            nonce: flow.nonce,
            ...(flow.intent === 'reauth' ? { prompt: 'login', max_age: '0' } : {}),
          });
        } catch (error) {
          throw failureOf(error);
        }
      },

      async identityFrom(url, flow) {
        try {
          const tokens = await oidc.authorizationCodeGrant(await configuration(), url, {
            pkceCodeVerifier: flow.codeVerifier,
            expectedState: flow.state,
            expectedNonce: flow.nonce,
            idTokenExpected: true,
          });
          const claims = tokens.claims();
          if (!claims) throw new OidcFailure('exchange_failed', 'no ID token');
          const amr = Array.isArray(claims.amr) ? claims.amr : [];
          return {
            subject: claims.sub,
            email: typeof claims.email === 'string' ? claims.email.trim().toLowerCase() : null,
            emailVerified: claims.email_verified === true,
            name: typeof claims.name === 'string' ? claims.name : null,
            assurance: amr.includes('mfa') ? 'aal2' : 'aal1',
          };
        } catch (error) {
          throw failureOf(error);
        }
      },
    };
  }

  const clients = new Map(providers.map((config) => [config.id, clientFor(config)]));
  return {
    /** The configured providers, for the sign-in page's buttons. */
    list: () => providers.map(({ id, name }) => ({ id, name })),
    get: (id: string): ProviderClient | null => clients.get(id) ?? null,
    nameOf: (id: string): string => clients.get(id)?.config.name ?? id,
    randomFlowSecrets: () => ({ state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier() }),
  };
}

import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import Provider from 'oidc-provider';

/**
 * A real OpenID Provider (panva's `oidc-provider`) for development, the API tests and the browser tests:
 * its development login page takes any name and password. The name typed is the account, and decides
 * what the provider vouches for:
 * - `ada@example.com` → `email: ada@example.com`, `email_verified: true`;
 * - `unverified.ada@example.com` → the same address with `email_verified: false`;
 * - `mfa.ada@example.com` → verified, and `amr: ["pwd", "mfa"]` (the provider says it checked two factors).
 * Never for production: it signs anyone in.
 */
export interface LocalOidcClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}

export interface LocalOidcProvider {
  issuer: string;
  close(): Promise<void>;
}

type ProviderClaims = {
  sub: string;
  email: string;
  email_verified: boolean;
  name: string;
  amr?: string[];
};

export function claimsFor(accountId: string): ProviderClaims {
  const unverified = accountId.startsWith('unverified.');
  const mfa = accountId.startsWith('mfa.');
  const email = accountId.replace(/^(unverified|mfa)\./, '').toLowerCase();
  const name = (email.split('@')[0] ?? email).replace(/[._-]+/g, ' ');
  return { sub: accountId, email, email_verified: !unverified, name, ...(mfa ? { amr: ['pwd', 'mfa'] } : {}) };
}

/** A free port on `host`: the issuer (its URL) must be known before the provider is made. */
async function freePort(host: string): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, host, () => resolve()));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export async function startLocalOidcProvider({
  port = 0,
  host = '127.0.0.1',
  issuer: configuredIssuer,
  clients,
}: {
  port?: number;
  host?: string;
  /** As browsers and the API reach it; `http://localhost:<port>` unless given (a container's name, say). */
  issuer?: string;
  clients: LocalOidcClient[];
}): Promise<LocalOidcProvider> {
  const chosenPort = port === 0 ? await freePort(host) : port;
  const issuer = configuredIssuer ?? `http://localhost:${chosenPort}`;

  const provider = new Provider(issuer, {
    clients: clients.map((client) => ({
      client_id: client.clientId,
      client_secret: client.clientSecret,
      redirect_uris: client.redirectUris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
    })),
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // The ID token carries the scopes' claims (Gatehouse reads the ID token, not userinfo).
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx, accountId) {
      const claims = claimsFor(accountId);
      return { accountId, claims: () => claims };
    },
  });
  const listening = provider.listen(chosenPort, host);
  await new Promise<void>((resolve) => listening.once('listening', () => resolve()));
  return {
    issuer,
    close: () => new Promise<void>((resolve) => listening.close(() => resolve())),
  };
}

/** `tsx src/dev/local-oidc-provider.ts --port 9000 --redirect-uri http://localhost:3000/api/auth/oidc/dev/callback` */
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '9000' },
      host: { type: 'string', default: '127.0.0.1' },
      issuer: { type: 'string' },
      'client-id': { type: 'string', default: 'gatehouse' },
      'client-secret': { type: 'string', default: 'gatehouse-dev-secret' },
      'redirect-uri': { type: 'string', multiple: true, default: ['http://localhost:3000/api/auth/oidc/dev/callback'] },
    },
  });
  const provider = await startLocalOidcProvider({
    port: Number(values.port),
    host: values.host,
    ...(values.issuer ? { issuer: values.issuer } : {}),
    clients: [{ clientId: values['client-id'], clientSecret: values['client-secret'], redirectUris: values['redirect-uri'] }],
  });
  process.stdout.write(`local OpenID Provider at ${provider.issuer} (any name and password signs in; never for production)\n`);
}

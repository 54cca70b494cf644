import { ConfigError } from '../config-error';

/** One OpenID Connect provider as the environment configures it (OIDC_PROVIDERS and OIDC_<ID>_*). */
export interface OidcProviderConfig {
  /** Lower case, as in the callback URL: `<PUBLIC_URL>/api/auth/oidc/<id>/callback`. */
  id: string;
  /** The button's name ("Sign in with <name>"). */
  name: string;
  issuer: URL;
  clientId: string;
  clientSecret: string;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Reads `OIDC_PROVIDERS=google,okta` and for each id `OIDC_<ID>_ISSUER`, `_CLIENT_ID`, `_CLIENT_SECRET`,
 * `_NAME`. Issuers must be https; outside production a loopback http issuer is accepted (a provider run
 * on this machine for development and tests).
 */
export function parseOidcProviders(env: NodeJS.ProcessEnv, { isProduction }: { isProduction: boolean }): OidcProviderConfig[] {
  const ids = (env.OIDC_PROVIDERS ?? '')
    .split(',')
    .map((id) => id.trim().toLowerCase())
    .filter(Boolean);
  const seen = new Set<string>();
  return ids.map((id) => {
    if (!/^[a-z0-9_-]{1,32}$/.test(id)) throw new ConfigError(`OIDC_PROVIDERS: "${id}" must be 1–32 letters, digits, "-" or "_"`);
    if (seen.has(id)) throw new ConfigError(`OIDC_PROVIDERS names "${id}" twice`);
    seen.add(id);
    const prefix = `OIDC_${id.toUpperCase().replaceAll('-', '_')}_`;
    const setting = (name: string): string => {
      const value = env[`${prefix}${name}`]?.trim();
      if (!value) throw new ConfigError(`${prefix}${name} is required for the OpenID Connect provider "${id}"`);
      return value;
    };
    let issuer: URL;
    try {
      issuer = new URL(setting('ISSUER'));
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw new ConfigError(`${prefix}ISSUER is not a URL`);
    }
    const isLocalHttp = issuer.protocol === 'http:' && LOOPBACK_HOSTS.has(issuer.hostname);
    if (issuer.protocol !== 'https:' && !(isLocalHttp && !isProduction)) {
      throw new ConfigError(`${prefix}ISSUER must be an https URL${isProduction ? '' : ' (or http on localhost outside production)'}`);
    }
    return { id, name: env[`${prefix}NAME`]?.trim() || id, issuer, clientId: setting('CLIENT_ID'), clientSecret: setting('CLIENT_SECRET') };
  });
}

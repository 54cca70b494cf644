import { createHash, randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';

export const OIDC_FLOWS_COLLECTION = 'oidc_flows';
/** Long enough to sign in at the provider (a password, perhaps its own second factor), short enough to be useless when leaked. */
export const OIDC_FLOW_TTL_SECONDS = 10 * 60;

/** What a trip to the provider was for. */
export type OidcIntent = 'sign_in' | 'connect' | 'reauth';

/** One trip to a provider, from start to callback: what the callback must check and where it leads. */
export interface OidcFlow {
  provider: string;
  intent: OidcIntent;
  /** Connecting and confirming: the account whose session started it (the callback must come back to it). */
  userId: string | null;
  /** Signing in: whether the session is to outlast the browser ("Keep me signed in"). */
  rememberMe: boolean;
  state: string;
  nonce: string;
  /** PKCE (S256): only the server that started the flow can redeem the code. */
  codeVerifier: string;
}

interface OidcFlowDocument extends OidcFlow {
  /** A hash of the key the browser holds in its flow cookie: the database alone cannot finish a flow. */
  _id: string;
  expiresAt: Date;
}

const hashKey = (key: string) => createHash('sha256').update('gatehouse oidc flow\0').update(key).digest('base64url');

export type OidcFlows = ReturnType<typeof createOidcFlows>;

/**
 * Owns the trips to providers in progress. A flow is stored under a hash of a random key that only the
 * browser's flow cookie carries, so a callback counts only in the browser that started it (login CSRF),
 * and taking it deletes it: the same callback URL loaded twice finds nothing the second time (S49).
 */
export function createOidcFlows(connection: Connection) {
  const flows = () => connection.collection<OidcFlowDocument>(OIDC_FLOWS_COLLECTION);
  return {
    /** Stores the flow; returns the key for the browser's cookie. */
    async begin(flow: OidcFlow): Promise<string> {
      const key = randomBytes(32).toString('base64url');
      await flows().insertOne({ _id: hashKey(key), ...flow, expiresAt: new Date(Date.now() + OIDC_FLOW_TTL_SECONDS * 1000) });
      return key;
    },

    /** The flow this key and provider began, once; null when unknown, used or expired. */
    async take(key: string, provider: string): Promise<OidcFlow | null> {
      const doc = await flows().findOneAndDelete({ _id: hashKey(key), provider, expiresAt: { $gt: new Date() } });
      if (!doc) return null;
      const { _id: _key, expiresAt: _expiresAt, ...flow } = doc;
      return flow;
    },

    /** Trips an account started (connecting, confirming) go with the account. */
    async removeForUser(userId: string): Promise<number> {
      return (await flows().deleteMany({ userId })).deletedCount;
    },

    async ensureIndexes(): Promise<void> {
      await flows().createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
    },
  };
}

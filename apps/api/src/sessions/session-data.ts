import type { SessionData } from 'express-session';
import type { SecondFactorMethod } from '@gatehouse/types/second-factor';
import type { Assurance, AuthMethod, Device } from '@gatehouse/types/sessions';
import type { User } from '@gatehouse/types/users';

/**
 * A password sign-in waiting for its second factor. A session carrying it has no `userId` and grants
 * nothing (S37); only the second step reads it, and completing it starts a new session under a new id.
 */
export interface PendingSignIn {
  userId: string;
  /** The account's version when the password was checked: a change since then voids the sign-in (S31). */
  accountVersion: number;
  /** The factors proven so far, in order. */
  authMethods: AuthMethod[];
  /** What the second step may be. */
  methods: SecondFactorMethod[];
  rememberMe: boolean;
  /** Begun with an OpenID Connect provider: its name, carried into the session. */
  signInProvider?: string;
  /** The password given was found in a breach corpus: carried into the session (S48). */
  passwordBreached?: boolean;
  /** Epoch ms; the stored document expires then too. */
  expiresAt: number;
}

/** An ES256 public key as a JWK: its public members only. */
export interface DevicePublicKey {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

/**
 * A session bound to a key of the browser's (device-bound session credentials, device-binding/). The
 * private key never leaves the device; the public one checks each refresh of the short bound cookie.
 */
export interface DeviceBinding {
  /** The DBSC session identifier the browser names at refresh (random; not the session id). */
  id: string;
  /** The browser's public key from registration. */
  publicKey: DevicePublicKey;
  /** Epoch ms of the registration. */
  boundAt: number;
  /** Issue time (epoch ms) of the last challenge answered: older ones are spent, so each works once. */
  lastChallengeAt: number;
}

/**
 * What Gatehouse keeps in a signed-in session (connect-mongo stores it as an object, `stringify: false`,
 * under the document's `session` field, so it can be queried: `session.userId` is indexed).
 * Times are epoch milliseconds: plain numbers survive every store and JSON round trip unchanged.
 * Anonymous visitors never get a session (saveUninitialized: false), so every stored one has a user.
 */
declare module 'express-session' {
  interface SessionData {
    userId: string;
    /**
     * A snapshot of the account, so an authenticated request costs one database read (the session).
     * Only the session registry writes it (at insert, and when the account changes); saving a loaded
     * session never does, so a request holding an old copy cannot undo a role change.
     */
    user: User;
    /** The account's version when this session was created or last refreshed (see users/accounts.ts). */
    accountVersion: number;
    /** Sign-in time: the absolute deadline is counted from here, whatever the activity. */
    createdAt: number;
    /** Last time the holder proved who they are (sign-in or re-authentication), for sudo mode. */
    authenticatedAt: number;
    /** How the session was signed in, in the order the proofs were given. */
    authMethods: AuthMethod[];
    /** How strongly the holder was proven: at sign-in, raised by a two-factor re-authentication (step-up). */
    assurance: Assurance;
    /** The level the last proof (`authenticatedAt`) reached: sudo mode asks for the session's own level. */
    authenticatedAssurance: Assurance;
    /** Signed in with an OpenID Connect provider (`oidc` in `authMethods`): its name, as sessions show it. */
    signInProvider?: string;
    /** createdAt + the absolute timeout; fixed at sign-in. */
    absoluteExpiresAt: number;
    rememberMe: boolean;
    /**
     * The password proven at this sign-in appears in a breach corpus (looked up at each password sign-in,
     * S48): a fact about this proof, not the account, so it lives here and a password change clears it.
     */
    passwordBreached?: boolean;
    device: Device;
    /** The browser's device key (devices/device-cookie.ts): names and "first seen" hang off it. */
    deviceKey: string | null;
    ip: string | null;
    /** Set by a role change: the next request of this session gets a new id and a fresh account copy (S4). */
    rotateOnNextRequest?: boolean;
    /** Only in a session that is not signed in yet: the password was right, the second factor is due. */
    pendingSignIn?: PendingSignIn;
    /** Once the browser registered a device key: every request must carry the bound cookie (S45). */
    deviceBinding?: DeviceBinding;
  }
}

/** A stored session as the store hands it to express-session: what was saved, plus `lastModified` (last write or touch). */
export type LoadedSessionData = Partial<SessionData> & Pick<SessionData, 'cookie'> & { lastModified?: Date };

/** Fields only the registry writes; a save of a loaded session leaves them as they are in the database. */
export const ACCOUNT_OWNED_FIELDS = ['userId', 'user', 'accountVersion', 'rotateOnNextRequest', 'pendingSignIn', 'deviceBinding'] as const;

export {};

import type { Device } from '@gatehouse/types/sessions';
import type { User } from '@gatehouse/types/users';

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
     * Whatever changes the account (role, name) updates the snapshot in every session of that user
     * (`session.userId` is indexed), so a role change applies on the user's next request.
     */
    user: User;
    /** Sign-in time: the absolute deadline is counted from here, whatever the activity. */
    createdAt: number;
    /** Last time the password was proven (sign-in or re-authentication), for sudo mode. */
    authenticatedAt: number;
    /** createdAt + the absolute timeout; fixed at sign-in. */
    absoluteExpiresAt: number;
    rememberMe: boolean;
    device: Device;
    ip: string | null;
    /** Set by a role change: the next request of this session gets a new id (S4). */
    rotateOnNextRequest?: boolean;
  }
}

export {};

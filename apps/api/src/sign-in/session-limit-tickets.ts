import { createHash, randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import type { Assurance, AuthMethod } from '@gatehouse/types/sessions';

export const SESSION_LIMIT_TICKETS_COLLECTION = 'session_limit_tickets';

/** A sign-in refused at the cap (SESSION_LIMIT_POLICY=refuse), fully proven, waiting for the person to end a session. */
export interface SessionLimitTicket {
  userId: string;
  /** The account as it was proven: any change that takes rights away since voids the ticket (S31). */
  accountVersion: number;
  /** The browser that proved the sign-in: the ticket is worth nothing in any other. */
  deviceKey: string;
  authMethods: AuthMethod[];
  rememberMe: boolean;
  signInProvider?: string | undefined;
  assurance?: Assurance | undefined;
}

interface SessionLimitTicketDocument extends SessionLimitTicket {
  /** A hash of the ticket: the database alone cannot finish a sign-in. */
  _id: string;
  expiresAt: Date;
}

const hashTicket = (ticket: string) => createHash('sha256').update('gatehouse session limit\0').update(ticket).digest('base64url');

export type SessionLimitTickets = ReturnType<typeof createSessionLimitTickets>;

/**
 * Owns the tickets of refused sign-ins. A ticket is handed out only after every proof the sign-in needed
 * (password, second step, passkey, provider), so it lets no one do what the proof did not allow; taking
 * it deletes it (single use), and it expires with `ttlSeconds`.
 */
export function createSessionLimitTickets(connection: Connection, { ttlSeconds }: { ttlSeconds: number }) {
  const tickets = () => connection.collection<SessionLimitTicketDocument>(SESSION_LIMIT_TICKETS_COLLECTION);
  return {
    /** Stores the proven sign-in; returns the ticket (256 random bits) and when it expires. */
    async issue(proven: SessionLimitTicket): Promise<{ ticket: string; expiresAt: Date }> {
      const ticket = randomBytes(32).toString('base64url');
      const expiresAt = new Date(Date.now() + ttlSeconds * 1000);
      await tickets().insertOne({ _id: hashTicket(ticket), ...proven, expiresAt });
      return { ticket, expiresAt };
    },

    /** The proven sign-in behind this ticket, once; null when unknown, used or expired. */
    async take(ticket: string): Promise<SessionLimitTicket | null> {
      const doc = await tickets().findOneAndDelete({ _id: hashTicket(ticket), expiresAt: { $gt: new Date() } });
      if (!doc) return null;
      const { _id: _hash, expiresAt: _expiresAt, ...proven } = doc;
      return proven;
    },

    async ensureIndexes(): Promise<void> {
      await tickets().createIndex({ expiresAt: 1 }, { expireAfterSeconds: 0 });
    },
  };
}

/**
 * The logical sessions the engine has seen, as mongod's local session cache keeps them: every
 * command carrying an `lsid` creates or refreshes its session (with the authenticated user's
 * digest and the time of last use), `endSessions` forgets it, and `$listLocalSessions` lists them.
 * Sessions do nothing else here (no transactions; retryable writes are ./retryable-writes).
 */
import { createHash } from 'node:crypto';
import { Binary } from 'bson';
import type { Document } from 'bson';
import { MongoCommandError } from '../errors';
import { isPlainDoc } from '../bson/paths';
import { bsonType } from '../bson/values';

/** More than this many sessions: the first started are forgotten (mongod bounds its cache too). */
const MAX_SESSIONS = 10_000;

interface LocalSession {
  id: Binary;
  /** Authenticated user name (`user@db`); undefined without authentication. */
  user: string | undefined;
  lastUse: number;
}

/** mongod's user digest: SHA-256 of the user's full name, of nothing when unauthenticated. */
function userDigest(user: string | undefined): Binary {
  return new Binary(
    createHash('sha256')
      .update(user ?? '')
      .digest(),
  );
}

/** The full name sessions are recorded under: users are global to the engine and shown as in `admin`. */
export function sessionUser(connectionUser: string | undefined): string | undefined {
  return connectionUser === undefined ? undefined : `${connectionUser}@admin`;
}

function sessionId(lsid: unknown): Binary | undefined {
  const id = isPlainDoc(lsid) ? lsid.id : undefined;
  return bsonType(id) === 'Binary' ? (id as Binary) : undefined;
}

export class LocalSessions {
  private readonly sessions = new Map<string, LocalSession>();

  /** Records a use of the command's session (if it names one). */
  touch(lsid: unknown, user: string | undefined): void {
    const id = sessionId(lsid);
    if (!id) return;
    const key = id.toString('hex');
    const known = this.sessions.get(key);
    if (known) {
      known.lastUse = Date.now();
      known.user = user;
      return;
    }
    this.sessions.set(key, { id, user, lastUse: Date.now() });
    // The oldest session started goes first (mongod reaps by age too).
    if (this.sessions.size > MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value as string);
  }

  /** endSessions. */
  end(lsids: unknown): void {
    if (!Array.isArray(lsids)) return;
    for (const lsid of lsids) {
      const id = sessionId(lsid);
      if (id) this.sessions.delete(id.toString('hex'));
    }
  }

  /**
   * `$listLocalSessions`: `{}` lists the current user's sessions, `{allUsers: true}` everyone's,
   * `{users: [{user, db}]}` those of the users named.
   */
  list(spec: unknown, currentUser: string | undefined): Document[] {
    if (!isPlainDoc(spec)) throw new MongoCommandError(14, "BSON field '$listLocalSessions' is the wrong type, expected type 'object'");
    const allUsers = spec.allUsers === true;
    if (allUsers && spec.users !== undefined) throw new MongoCommandError(9, '$listLocalSessions: allUsers and users cannot both be given');
    let wanted: Set<string | undefined>;
    if (Array.isArray(spec.users)) {
      wanted = new Set(spec.users.map((entry: unknown) => (isPlainDoc(entry) ? `${String(entry.user)}@${String(entry.db)}` : '')));
    } else {
      wanted = new Set([currentUser]);
    }
    const listed: Document[] = [];
    for (const session of this.sessions.values()) {
      if (!allUsers && !wanted.has(session.user)) continue;
      const doc: Document = { _id: { id: session.id, uid: userDigest(session.user) }, lastUse: new Date(session.lastUse) };
      if (session.user !== undefined) doc.user = { name: session.user };
      listed.push(doc);
    }
    return listed;
  }
}

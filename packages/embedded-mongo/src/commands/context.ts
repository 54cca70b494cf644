/** What a command handler gets to work with. */
import type { Document, Long, ObjectId } from 'bson';
import type { Engine } from '../storage/engine';
import type { Logger } from '../logger';
import type { CursorManager } from './cursors';
import type { ScramConversation, ScramCredential } from '../auth/scram';
import type { RetryableWrites } from './retryable-writes';
import type { LocalSessions } from './sessions';

/** The one-member replica set the engine presents itself as (see ./replication). */
export interface ReplicaSetState {
  name: string;
  /** `host:port` to advertise; undefined for a wildcard bind (each connection's local address then). */
  advertised: string | undefined;
  electionId: ObjectId;
  term: Long;
}

export interface ConnectionState {
  id: number;
  remote: string;
  /** Authenticated user name, when the server requires auth. */
  user: string | undefined;
  sasl: { conversationId: number; conversation: ScramConversation } | undefined;
  client: Document | undefined;
  /** Aborted when the socket closes (ends a change stream's pending getMore). */
  closed: AbortSignal;
  /** The address the client reached the engine at (advertised in hello for wildcard binds). */
  local: string;
}

export interface ServerState {
  engine: Engine;
  cursors: CursorManager;
  logger: Logger;
  users: Map<string, ScramCredential>;
  startedAt: Date;
  port: number;
  /** Largest wire message accepted (and advertised in hello). */
  maxMessageSizeBytes: number;
  /** Connections beyond this many are closed as soon as they are accepted. */
  maxIncomingConnections: number;
  /** The one-member replica set the engine presents itself as (undefined: standalone). */
  replicaSet: ReplicaSetState | undefined;
  retryableWrites: RetryableWrites;
  /** The logical sessions commands have named (`$listLocalSessions`). */
  sessions: LocalSessions;
}

export interface CommandContext {
  server: ServerState;
  conn: ConnectionState;
  db: string;
}

export type Handler = (cmd: Document, ctx: CommandContext) => Document | Promise<Document>;

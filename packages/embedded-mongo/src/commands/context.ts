/** What a command handler gets to work with. */
import type { Document } from 'bson';
import type { Engine } from '../storage/engine';
import type { Logger } from '../logger';
import type { CursorManager } from './cursors';
import type { ScramConversation, ScramCredential } from '../auth/scram';

export interface ConnectionState {
  id: number;
  remote: string;
  /** Authenticated user name, when the server requires auth. */
  user: string | undefined;
  sasl: { conversationId: number; conversation: ScramConversation } | undefined;
  client: Document | undefined;
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
}

export interface CommandContext {
  server: ServerState;
  conn: ConnectionState;
  db: string;
}

export type Handler = (cmd: Document, ctx: CommandContext) => Document | Promise<Document>;

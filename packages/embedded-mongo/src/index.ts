/**
 * @gatehouse/embedded-mongo — a MongoDB-wire-compatible engine for development and tests.
 *
 *   const { uri, stop } = await start({ port: 0, dbPath: '.data/mongo' });
 */
import { CursorManager } from './commands/cursors';
import type { ServerState } from './commands/context';
import { makeCredential } from './auth/scram';
import type { ScramCredential } from './auth/scram';
import { DEFAULT_MAX_INCOMING_CONNECTIONS } from './limits';
import { defaultLogger } from './logger';
import type { Logger } from './logger';
import { WireServer, hostPort } from './wire/server';
import { ChangeHistory, DEFAULT_HISTORY_ENTRIES } from './changes/history';
import { replicaSetState } from './commands/replication';
import { RetryableWrites } from './commands/retryable-writes';
import { LocalSessions } from './commands/sessions';
import { openEngine } from './storage/recovery';
import { MAX_MESSAGE_SIZE } from './wire/messages';
import { startTtlMonitor, sweepExpired } from './storage/ttl';

export type { Logger } from './logger';

/** The replica set name the engine presents itself under unless told otherwise. */
export const DEFAULT_REPLICA_SET = 'rs0';

export interface UserSpec {
  user: string;
  password: string;
}

export interface StartOptions {
  /** TCP port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /** Host to bind; default 127.0.0.1. */
  host?: string;
  /** Directory for the log/snapshot; omitted = in-memory only. */
  dbPath?: string;
  /** Users for SCRAM-SHA-256 (`{user, password}` or `"name:password"`); any user makes auth mandatory. */
  users?: (UserSpec | string)[];
  logger?: Logger;
  /** TTL monitor interval (default 60000 ms, like mongod). */
  ttlMonitorIntervalMs?: number;
  /** Compact (snapshot + truncate) once the log exceeds this many bytes (default 64 MiB). */
  compactThresholdBytes?: number;
  /** Idle cursor timeout (default 10 minutes). */
  cursorTimeoutMs?: number;
  /** Open connections allowed at once (default 1000); more are closed on arrival. */
  maxIncomingConnections?: number;
  /** Largest wire message accepted, at most (and by default) MongoDB's 48,000,000 bytes. */
  maxMessageSizeBytes?: number;
  /**
   * Replica set name the engine presents itself under, as the primary of a one-member set
   * (default `rs0`): change streams, retryable writes and cluster times work as on a replica
   * set. `false` presents a standalone server instead (no change streams, as a standalone mongod).
   */
  replicaSet?: string | false;
  /** Change events kept for change streams to resume from (default 10,000; older ones: error 286). */
  changeHistorySize?: number;
}

export interface RunningEngine {
  /** `mongodb://127.0.0.1:<port>/` (add credentials/database yourself). */
  uri: string;
  port: number;
  /** Stops listening, closes connections, flushes and unlocks the dbPath. Idempotent. */
  stop(): Promise<void>;
  /** Runs a TTL sweep now; returns the number of removed documents (tests/diagnostics). */
  sweepTtl(): number;
  /** Compacts the log into a snapshot now (no-op in memory mode). */
  compact(): Promise<void>;
  /** Log statistics (undefined in memory mode). */
  journalStats(): { logBytes: number; flushes: number; records: number; compactions: number } | undefined;
}

function parseUser(spec: UserSpec | string): UserSpec {
  if (typeof spec !== 'string') return spec;
  const i = spec.indexOf(':');
  if (i <= 0) throw new Error(`user must look like name:password, got ${JSON.stringify(spec)}`);
  return { user: spec.slice(0, i), password: spec.slice(i + 1) };
}

export async function start(options: StartOptions = {}): Promise<RunningEngine> {
  const logger = options.logger ?? defaultLogger;
  const maxIncomingConnections = options.maxIncomingConnections ?? DEFAULT_MAX_INCOMING_CONNECTIONS;
  const maxMessageSizeBytes = Math.min(options.maxMessageSizeBytes ?? MAX_MESSAGE_SIZE, MAX_MESSAGE_SIZE);
  if (!Number.isInteger(maxIncomingConnections) || maxIncomingConnections < 1) throw new Error('maxIncomingConnections must be a positive integer');
  if (!Number.isInteger(maxMessageSizeBytes) || maxMessageSizeBytes < 1024) throw new Error('maxMessageSizeBytes must be an integer of at least 1024');
  const replicaSet = options.replicaSet ?? DEFAULT_REPLICA_SET;
  if (replicaSet !== false && (typeof replicaSet !== 'string' || replicaSet.length === 0 || /[/\s]/.test(replicaSet))) {
    throw new Error('replicaSet must be a non-empty name without spaces or slashes, or false');
  }
  const engine = await openEngine({
    history: new ChangeHistory(replicaSet !== false, options.changeHistorySize ?? DEFAULT_HISTORY_ENTRIES),
    logger,
    dbPath: options.dbPath,
    compactThresholdBytes: options.compactThresholdBytes ?? 64 * 1024 * 1024,
  });
  const users = new Map<string, ScramCredential>();
  for (const u of options.users ?? []) {
    const { user, password } = parseUser(u);
    users.set(user, makeCredential(user, password));
  }
  const cursors = new CursorManager(options.cursorTimeoutMs);
  const state: ServerState = {
    engine,
    cursors,
    logger,
    users,
    startedAt: new Date(),
    port: 0,
    maxIncomingConnections,
    maxMessageSizeBytes,
    replicaSet: undefined,
    retryableWrites: new RetryableWrites(),
    sessions: new LocalSessions(),
  };
  const server = new WireServer(state);
  let port: number;
  try {
    port = await server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  } catch (error) {
    cursors.close();
    await engine.close();
    throw error;
  }
  state.port = port;
  const host = options.host ?? '127.0.0.1';
  if (replicaSet !== false) {
    // A wildcard bind has no one address to advertise: each connection is told the one it used.
    const wildcard = host === '0.0.0.0' || host === '::' || host === '';
    state.replicaSet = replicaSetState(replicaSet, wildcard ? undefined : hostPort(host, port), engine.history);
  }
  const ttl = startTtlMonitor(engine, logger, options.ttlMonitorIntervalMs ?? 60_000);
  const uri = `mongodb://${hostPort(host, port)}/`;
  logger.info(
    `listening on ${uri} (${options.dbPath ? `dbPath ${options.dbPath}` : 'in-memory'}${users.size ? ', auth required' : ''}, ${replicaSet === false ? 'standalone' : `replica set ${replicaSet}`})`,
  );
  let stopping: Promise<void> | undefined;
  return {
    uri,
    port,
    stop() {
      stopping ??= (async () => {
        clearInterval(ttl);
        await server.close();
        cursors.close();
        await engine.close();
        logger.info(`stopped (${uri})`);
      })();
      return stopping;
    },
    sweepTtl: () => sweepExpired(engine, logger),
    compact: () => engine.compact(),
    journalStats: () => engine.journalStats(),
  };
}

import mongoose from 'mongoose';
import type { Connection } from 'mongoose';

export interface DatabaseOptions {
  uri: string;
  /** Overrides the database named in the URI (tests use one fresh database each). */
  dbName?: string;
  timeoutMs: number;
  /** Emit driver command events (tests count database round trips with them). */
  monitorCommands?: boolean;
}

/**
 * Mongoose would otherwise queue commands for 10 s and the driver wait 30 s for a server: a request
 * during an outage must fail fast with 503 instead (R1/R2), so nothing is buffered and every wait is short.
 */
export function connectionOptions({ dbName, timeoutMs, monitorCommands = false }: Omit<DatabaseOptions, 'uri'>): mongoose.ConnectOptions {
  return {
    ...(dbName === undefined ? {} : { dbName }),
    monitorCommands,
    bufferCommands: false,
    autoIndex: false,
    autoCreate: false,
    serverSelectionTimeoutMS: timeoutMs,
    connectTimeoutMS: timeoutMs,
    socketTimeoutMS: Math.max(timeoutMs * 5, 10_000),
    heartbeatFrequencyMS: Math.max(timeoutMs, 1000),
  };
}

export async function connectDatabase(options: DatabaseOptions): Promise<Connection> {
  const connection = mongoose.createConnection();
  await connection.openUri(options.uri, connectionOptions(options));
  return connection;
}

/** Readiness: a round trip to the server, bounded by the driver's short timeouts. */
export async function isDatabaseUp(connection: Connection): Promise<boolean> {
  if (connection.readyState !== mongoose.ConnectionStates.connected || !connection.db) return false;
  try {
    await connection.db.command({ ping: 1 });
    return true;
  } catch {
    return false;
  }
}

import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Connection } from 'mongoose';
import { EMBEDDED_DATABASE_NAME, EMBEDDED_MONGO_DIR, EMBEDDED_MONGO_FILE } from '../config';
import type { Config } from '../config';
import { connectDatabase } from '../db/connection';

/** A tool's failure with the exit code it means: 2 configuration, 3 database unreachable. */
export class ToolError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

export interface ToolDatabase {
  connection: Connection;
  /** Where the data was found, for the tool's output. */
  source: string;
  close(): Promise<void>;
}

const hideCredentials = (uri: string) => uri.replace(/\/\/[^@/]*@/, '//***@');

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function connectOrFail(uri: string, timeoutMs: number): Promise<Connection> {
  try {
    return await connectDatabase({ uri, timeoutMs });
  } catch (error) {
    throw new ToolError(`Cannot reach the database at ${hideCredentials(uri)}: ${(error as Error).message}`, 3);
  }
}

/** What a running API wrote for its tools; null when it is absent or left behind by a process that is gone. */
function runningEngineUri(dataDir: string): string | null {
  const file = join(dataDir, EMBEDDED_MONGO_FILE);
  if (!existsSync(file)) return null;
  // It holds the embedded engine's credentials (S39): the API creates it 0600.
  if ((statSync(file).mode & 0o077) !== 0) process.stderr.write(`warning: ${file} is readable by other users; restart the API to recreate it private\n`);
  const { uri, pid } = JSON.parse(readFileSync(file, 'utf8')) as { uri?: string; pid?: number };
  if (typeof pid === 'number' && !isProcessAlive(pid)) return null;
  if (!uri) throw new ToolError(`${file} has no "uri"; restart the API.`, 2);
  return uri;
}

/**
 * The app's database wherever it is: MONGODB_URI; else the embedded engine of a running API (through
 * the file it writes in the data directory); else, the app being stopped, its data directory opened
 * with an engine of our own for the time of the command. That engine takes the directory's lock, so it
 * cannot run beside an API on the same data, and requires credentials nobody else is given.
 */
export async function openToolDatabase(config: Pick<Config, 'mongodbUri' | 'dataDir'>, { timeoutMs = 3000 } = {}): Promise<ToolDatabase> {
  if (config.mongodbUri) {
    const connection = await connectOrFail(config.mongodbUri, timeoutMs);
    return { connection, source: hideCredentials(config.mongodbUri), close: () => connection.close() };
  }
  const uri = runningEngineUri(config.dataDir);
  if (uri) {
    const connection = await connectOrFail(uri, timeoutMs);
    return { connection, source: `the running API's embedded engine (${config.dataDir})`, close: () => connection.close() };
  }
  const dbPath = join(config.dataDir, EMBEDDED_MONGO_DIR);
  if (!existsSync(dbPath)) {
    throw new ToolError(`MONGODB_URI is not set and ${dbPath} does not exist: no data to open.\nSet DATA_DIR to the API's data directory, or MONGODB_URI.`, 2);
  }
  const { start } = await import('@gatehouse/embedded-mongo');
  const user = 'tool';
  const password = randomBytes(32).toString('base64url');
  let engine;
  try {
    engine = await start({
      dbPath,
      users: [{ user, password }],
      logger: { info: () => {}, warn: (message) => process.stderr.write(`[embedded-mongo] ${message}\n`) },
    });
  } catch (error) {
    throw new ToolError(`Cannot open ${dbPath}: ${(error as Error).message}\nIs an API starting or running on it?`, 3);
  }
  const address = new URL(engine.uri);
  address.username = user;
  address.password = password;
  address.pathname = `/${EMBEDDED_DATABASE_NAME}`;
  address.search = 'authSource=admin';
  const stopped = engine;
  try {
    const connection = await connectOrFail(address.toString(), timeoutMs);
    return {
      connection,
      source: `${dbPath} (the API is stopped)`,
      async close() {
        await connection.close();
        await stopped.stop();
      },
    };
  } catch (error) {
    await stopped.stop();
    throw error;
  }
}

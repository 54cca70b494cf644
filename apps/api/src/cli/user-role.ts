import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { RoleSchema } from '@gatehouse/types/users';
import { ConfigError, EMBEDDED_MONGO_FILE, loadToolConfig } from '../config';
import { connectDatabase } from '../db/connection';
import { createActivityLog } from '../activity/activity-log';
import { createLiveBus } from '../live/live-bus';
import { createSessionRegistry } from '../sessions/registry';
import { createAccountTokens } from '../tokens/account-tokens';
import { createAccountChanges, createAccountSource } from '../users/accounts';
import { createUserDirectory } from '../users/directory';
import { getUserModel } from '../users/user-model';

const USAGE = 'Usage: npm run user:role -- <email> <admin|user>';

/** Exit codes: 0 done, 1 account not found, 2 bad usage or configuration, 3 database unreachable. */
function fail(message: string, code: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

function toolConfig(): ReturnType<typeof loadToolConfig> {
  try {
    return loadToolConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message, 2);
    throw error;
  }
}

function databaseUri(config: ReturnType<typeof loadToolConfig>): string {
  if (config.mongodbUri) return config.mongodbUri;
  const file = join(config.dataDir, EMBEDDED_MONGO_FILE);
  if (!existsSync(file)) {
    fail(
      `MONGODB_URI is not set and ${file} does not exist.\nStart the API first (npm start or npm run dev) so its embedded engine is running, or set MONGODB_URI.`,
      2,
    );
  }
  // It holds the embedded engine's credentials (S39): the API creates it 0600.
  if ((statSync(file).mode & 0o077) !== 0) process.stderr.write(`warning: ${file} is readable by other users; restart the API to recreate it private\n`);
  const { uri } = JSON.parse(readFileSync(file, 'utf8')) as { uri?: string };
  if (!uri) fail(`${file} has no "uri"; restart the API.`, 2);
  return uri;
}

async function main(): Promise<void> {
  const [email, roleArg, ...rest] = process.argv.slice(2);
  if (!email || !roleArg || rest.length > 0) fail(USAGE, 2);
  const role = RoleSchema.safeParse(roleArg);
  if (!role.success) fail(`Unknown role "${roleArg}". ${USAGE}`, 2);

  const config = toolConfig();
  const uri = databaseUri(config);
  let connection;
  try {
    connection = await connectDatabase({ uri, timeoutMs: 3000 });
  } catch (error) {
    fail(`Cannot reach the database at ${uri.replace(/\/\/[^@/]*@/, '//***@')}: ${(error as Error).message}\nIs the API (and its embedded engine) running?`, 3);
  }
  try {
    // The same path as the admin page: the account's version moves on and every session gets the new role.
    const users = getUserModel(connection);
    const activity = createActivityLog({ connection, live: createLiveBus(), retentionSeconds: config.activityRetentionSeconds });
    const registry = createSessionRegistry({ connection, config, accounts: createAccountSource(users) });
    const accounts = createAccountChanges({ users, sessions: registry, activity, tokens: createAccountTokens(connection) });
    const user = await createUserDirectory(users).contactByEmail(email.trim().toLowerCase());
    const result = user ? await accounts.setRole(user.id, role.data, 'system') : ({ status: 'not_found' } as const);
    if (result.status === 'not_found') fail(`No account with the email ${email}.`, 1);
    const sessions = `${result.sessionsUpdated} signed-in session${result.sessionsUpdated === 1 ? '' : 's'} updated`;
    process.stdout.write(
      result.status === 'changed'
        ? `${email} is now ${role.data}; ${sessions} (applies on their next request).\n`
        : `${email} was already ${role.data}; ${sessions}.\n`,
    );
  } finally {
    await connection.close();
  }
}

main().catch((error: unknown) => fail(`user:role failed: ${error instanceof Error ? error.message : String(error)}`, 3));

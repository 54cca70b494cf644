/** Command dispatch: auth gate, transaction refusal, retryable writes, per-command error wrapping, operation times. */
import type { Document } from 'bson';
import { MongoCommandError } from '../errors';
import { NO_AUTH_COMMANDS, adminHandlers } from './admin';
import { stampOperationTime } from './replication';
import { collMod } from './collmod';
import type { CommandContext, Handler } from './context';
import { sessionUser } from './sessions';
import { ddlHandlers } from './ddl';
import { explainAggregateFlag, explainHandlers } from './explain';
import { readHandlers } from './read';
import { writeHandlers } from './write';

const aggregate = readHandlers.aggregate as Handler;

const HANDLERS: Record<string, Handler> = {
  ...adminHandlers,
  buildinfo: adminHandlers.buildInfo as Handler,
  ...readHandlers,
  ...writeHandlers,
  ...ddlHandlers,
  collMod,
  ...explainHandlers,
  aggregate: (cmd, ctx) => (cmd.explain === true ? explainAggregateFlag(cmd, ctx) : aggregate(cmd, ctx)),
};

export function errorReply(error: unknown): Document {
  if (error instanceof MongoCommandError) {
    return { ok: 0, errmsg: error.message, code: error.code, codeName: error.codeName, ...(error.extra ?? {}) };
  }
  return { ok: 0, errmsg: `internal error: ${(error as Error)?.message ?? String(error)}`, code: 1, codeName: 'InternalError' };
}

export function commandName(cmd: Document): string {
  return Object.keys(cmd)[0] ?? '';
}

/** Runs one command; never throws (errors become `{ok: 0}` replies). */
export async function runCommand(cmd: Document, ctx: CommandContext): Promise<Document> {
  const reply = await dispatch(cmd, ctx);
  if (ctx.server.replicaSet) stampOperationTime(reply, ctx.server.engine.history);
  return reply;
}

async function dispatch(cmd: Document, ctx: CommandContext): Promise<Document> {
  const name = commandName(cmd);
  try {
    if (ctx.server.users.size > 0 && !ctx.conn.user && !NO_AUTH_COMMANDS.has(name)) {
      throw new MongoCommandError(13, `Command ${name} requires authentication`);
    }
    const rs = ctx.server.replicaSet;
    if (cmd.startTransaction !== undefined || cmd.autocommit !== undefined || (!rs && cmd.txnNumber !== undefined)) {
      if (rs) throw new MongoCommandError(115, 'Multi-document transactions are not supported by embedded-mongo');
      throw new MongoCommandError(20, 'Transaction numbers are only allowed on a replica set member or mongos');
    }
    const handler = Object.hasOwn(HANDLERS, name) ? HANDLERS[name] : undefined;
    if (!handler) throw new MongoCommandError(59, `no such command: '${name}'`);
    if (cmd.lsid !== undefined) ctx.server.sessions.touch(cmd.lsid, sessionUser(ctx.conn.user));
    if (cmd.txnNumber !== undefined) return await ctx.server.retryableWrites.run(name, cmd, () => handler(cmd, ctx));
    return await handler(cmd, ctx);
  } catch (error) {
    if (!(error instanceof MongoCommandError)) ctx.server.logger.warn(`command ${name} failed: ${(error as Error)?.stack ?? String(error)}`);
    return errorReply(error);
  }
}

/** Handshake, diagnostics and authentication commands. */
import { randomUUID } from 'node:crypto';
import { Binary } from 'bson';
import type { Document } from 'bson';
import { MongoCommandError } from '../errors';
import { ScramConversation } from '../auth/scram';
import { bsonType, toNumber } from '../bson/values';
import type { CommandContext, Handler } from './context';
import { helloReplicaSetFields, replSetGetStatus } from './replication';
import { sessionUser } from './sessions';

function randomUUIDBytes(): Buffer {
  return Buffer.from(randomUUID().replaceAll('-', ''), 'hex');
}

export const VERSION = '7.0.0';

function payloadBytes(payload: unknown): Buffer {
  if (bsonType(payload) === 'Binary') {
    const b = payload as Binary;
    return Buffer.from(b.buffer.subarray(0, b.position));
  }
  if (typeof payload === 'string') return Buffer.from(payload, 'utf8');
  if (payload instanceof Uint8Array) return Buffer.from(payload);
  throw new MongoCommandError(2, 'SASL payload must be binary');
}

function saslStart(cmd: Document, ctx: CommandContext): Document {
  const conversation = new ScramConversation(ctx.server.users);
  const out = conversation.start(cmd.mechanism, payloadBytes(cmd.payload));
  const conversationId = (ctx.conn.sasl?.conversationId ?? 0) + 1;
  ctx.conn.sasl = { conversationId, conversation };
  return { conversationId, done: false, payload: new Binary(out), ok: 1 };
}

function saslContinue(cmd: Document, ctx: CommandContext): Document {
  const s = ctx.conn.sasl;
  if (!s || toNumber(cmd.conversationId) !== s.conversationId) {
    throw new MongoCommandError(17, 'No SASL session state found');
  }
  try {
    const r = s.conversation.continue(payloadBytes(cmd.payload));
    let done = r.done;
    const user = s.conversation.authenticatedUser;
    const skipEmpty = typeof cmd.options === 'object' && cmd.options !== null && (cmd.options as Document).skipEmptyExchange === true;
    if (!done && skipEmpty) done = true;
    if (done) {
      ctx.conn.user = user;
      ctx.conn.sasl = undefined;
    }
    return { conversationId: s.conversationId, done, payload: new Binary(r.payload), ok: 1 };
  } catch (error) {
    ctx.conn.sasl = undefined;
    throw error;
  }
}

function hello(cmd: Document, ctx: CommandContext, name: string): Document {
  const primaryField = name === 'hello' ? 'isWritablePrimary' : 'ismaster';
  const rs = ctx.server.replicaSet;
  const reply: Document = {
    helloOk: true,
    ...(rs ? helloReplicaSetFields(rs, ctx, primaryField) : { [primaryField]: true }),
    maxBsonObjectSize: 16777216,
    maxMessageSizeBytes: ctx.server.maxMessageSizeBytes,
    maxWriteBatchSize: 100000,
    localTime: new Date(),
    logicalSessionTimeoutMinutes: 30,
    connectionId: ctx.conn.id,
    minWireVersion: 0,
    maxWireVersion: 21,
    readOnly: false,
  };
  if (cmd.client && !ctx.conn.client) ctx.conn.client = cmd.client as Document;
  if (typeof cmd.saslSupportedMechs === 'string' && ctx.server.users.size > 0) reply.saslSupportedMechs = ['SCRAM-SHA-256'];
  const spec = cmd.speculativeAuthenticate as Document | undefined;
  if (spec && ctx.server.users.size > 0 && spec.mechanism === 'SCRAM-SHA-256') {
    try {
      reply.speculativeAuthenticate = saslStart(spec, ctx);
      delete (reply.speculativeAuthenticate as Document).ok;
    } catch {
      // the driver falls back to a regular saslStart
    }
  }
  reply.ok = 1;
  return reply;
}

export const adminHandlers: Record<string, Handler> = {
  hello: (cmd, ctx) => hello(cmd, ctx, 'hello'),
  isMaster: (cmd, ctx) => hello(cmd, ctx, 'isMaster'),
  ismaster: (cmd, ctx) => hello(cmd, ctx, 'ismaster'),
  ping: () => ({ ok: 1 }),
  buildInfo: () => ({
    version: VERSION,
    gitVersion: 'embedded-mongo',
    versionArray: [7, 0, 0, 0],
    bits: 64,
    debug: false,
    maxBsonObjectSize: 16777216,
    storageEngines: ['embedded'],
    modules: [],
    ok: 1,
  }),
  endSessions: (cmd, ctx) => {
    ctx.server.retryableWrites.forget(cmd.endSessions);
    ctx.server.sessions.end(cmd.endSessions);
    return { ok: 1 };
  },
  replSetGetStatus,
  killSessions: () => ({ ok: 1 }),
  killAllSessions: () => ({ ok: 1 }),
  refreshSessions: () => ({ ok: 1 }),
  startSession: (_cmd, ctx) => {
    // A session the server hands out (drivers make their own ids): recorded like any other.
    const lsid = { id: new Binary(randomUUIDBytes(), Binary.SUBTYPE_UUID) };
    ctx.server.sessions.touch(lsid, sessionUser(ctx.conn.user));
    return { id: lsid, timeoutMinutes: 30, ok: 1 };
  },
  whatsmyuri: (_cmd, ctx) => ({ you: ctx.conn.remote, ok: 1 }),
  getParameter: (cmd) => {
    const out: Document = {};
    if ('featureCompatibilityVersion' in cmd || cmd.getParameter === '*') out.featureCompatibilityVersion = { version: '7.0' };
    return { ...out, ok: 1 };
  },
  getCmdLineOpts: () => ({ argv: ['embedded-mongo'], parsed: {}, ok: 1 }),
  hostInfo: () => ({ system: { currentTime: new Date(), hostname: '127.0.0.1' }, os: {}, extra: {}, ok: 1 }),
  serverStatus: (_cmd, ctx) => ({
    host: '127.0.0.1',
    version: VERSION,
    process: 'embedded-mongo',
    pid: process.pid,
    uptime: Math.floor((Date.now() - ctx.server.startedAt.getTime()) / 1000),
    localTime: new Date(),
    ok: 1,
  }),
  connectionStatus: (_cmd, ctx) => ({
    authInfo: {
      authenticatedUsers: ctx.conn.user ? [{ user: ctx.conn.user, db: 'admin' }] : [],
      authenticatedUserRoles: ctx.conn.user ? [{ role: 'root', db: 'admin' }] : [],
    },
    ok: 1,
  }),
  logout: (_cmd, ctx) => {
    ctx.conn.user = undefined;
    return { ok: 1 };
  },
  saslStart,
  saslContinue,
};

/** Commands allowed before authentication (as on mongod). */
export const NO_AUTH_COMMANDS = new Set([
  'hello',
  'isMaster',
  'ismaster',
  'ping',
  'buildInfo',
  'buildinfo',
  'saslStart',
  'saslContinue',
  'logout',
  'endSessions',
  'whatsmyuri',
  'getnonce',
  'authenticate',
  'connectionStatus',
]);

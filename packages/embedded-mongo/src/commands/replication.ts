/**
 * How the engine presents itself: by default as the primary of a one-member replica set, which
 * is what MongoDB requires for change streams, so drivers and applications take the same code
 * paths as against a replica set (`watch()`, retryable writes, cluster times). `replicaSet:
 * false` presents a standalone server instead (no change streams: 40573, as a standalone mongod).
 *
 * - hello carries `setName`, `hosts`/`primary`/`me` (the address clients reach the engine at),
 *   `setVersion` and an `electionId` that grows from run to run, so a driver that saw a previous
 *   run of the engine does not take a restarted one for a stale primary. No `topologyVersion`:
 *   drivers then poll hello instead of streaming it (which would need exhaust replies).
 * - Replies carry `operationTime`, not `$clusterTime` (see stampOperationTime).
 * - Retryable writes: a write with `lsid` + `txnNumber` is executed once; a retry with the same
 *   number (after a network error) gets the first execution's reply.
 * - Multi-document transactions are not supported and fail loudly (115).
 */
import { Long, ObjectId } from 'bson';
import type { Binary, Document, Timestamp } from 'bson';
import { MongoCommandError } from '../errors';
import { toTimestamp } from '../changes/tokens';
import type { ChangeHistory, Ts } from '../changes/history';
import { bsonType, isPlainDoc } from '../query/values';
import type { CommandContext, Handler } from './context';

export interface ReplicaSetState {
  name: string;
  /** `host:port` to advertise; undefined for a wildcard bind (each connection's local address then). */
  advertised: string | undefined;
  electionId: ObjectId;
  term: Long;
}

export function replicaSetState(name: string, advertised: string | undefined, history: ChangeHistory): ReplicaSetState {
  // A term that grows from run to run (the start second): drivers compare electionIds.
  const term = history.floor.t;
  return { name, advertised, electionId: new ObjectId(`7fffffff${term.toString(16).padStart(16, '0')}`), term: Long.fromNumber(term) };
}

function me(rs: ReplicaSetState, ctx: CommandContext): string {
  return rs.advertised ?? ctx.conn.local;
}

/** The replica-set part of a hello reply, in mongod's field order (before the common fields). */
export function helloReplicaSetFields(rs: ReplicaSetState, ctx: CommandContext, writablePrimaryField: string): Document {
  const self = me(rs, ctx);
  const opTime = { ts: toTimestamp(ctx.server.engine.history.clusterTime), t: rs.term };
  const now = new Date();
  return {
    hosts: [self],
    setName: rs.name,
    setVersion: 1,
    [writablePrimaryField]: true,
    secondary: false,
    primary: self,
    me: self,
    electionId: rs.electionId,
    lastWrite: { opTime, lastWriteDate: now, majorityOpTime: opTime, majorityWriteDate: now },
  };
}

/** A reply's operationTime for the current cluster time, built once per tick of the clock. */
const stamps = new WeakMap<Ts, Timestamp>();

/**
 * Adds `operationTime` to a reply (unless a write set its own: the cluster time of its last
 * change). No `$clusterTime`: one member has no cluster to gossip a time across, drivers work
 * without it (as with a standalone server), and it costs every command ~30 µs of CPU — the driver
 * parses it from each reply and sends it back with each command.
 */
export function stampOperationTime(reply: Document, history: ChangeHistory): void {
  if (reply.operationTime !== undefined) return;
  const now = history.clusterTime;
  let ts = stamps.get(now);
  if (!ts) {
    ts = toTimestamp(now);
    stamps.set(now, ts);
  }
  reply.operationTime = ts;
}

const RETRYABLE_COMMANDS = new Set(['insert', 'update', 'delete', 'findAndModify', 'findandmodify']);
const MAX_REMEMBERED_SESSIONS = 10_000;

interface ExecutedWrite {
  txnNumber: number;
  reply: Document | Promise<Document>;
}

function txnNumberOf(v: unknown): number {
  // Drivers count from 1 per session: far below 2^53.
  if (bsonType(v) === 'Long') return (v as Long).toNumber();
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  throw new MongoCommandError(14, "BSON field 'txnNumber' is the wrong type, expected type 'long'");
}

function sessionKey(lsid: unknown): string {
  const id = isPlainDoc(lsid) ? lsid.id : undefined;
  if (bsonType(id) !== 'Binary') throw new MongoCommandError(72, 'Transaction number requires a session ID to also be specified');
  return (id as Binary).toString('hex');
}

/** Retryable writes: the last write of each logical session, and its reply. */
export class RetryableWrites {
  private readonly sessions = new Map<string, ExecutedWrite>();

  /** Runs a write carrying `txnNumber` at most once per (session, txnNumber). */
  run(name: string, cmd: Document, ctx: CommandContext, handler: Handler): Document | Promise<Document> {
    if (!RETRYABLE_COMMANDS.has(name)) {
      throw new MongoCommandError(
        50768,
        `txnNumber may only be provided for multi-document transactions and retryable write commands. autocommit:false was not provided, and ${name} is not a retryable write command.`,
      );
    }
    const key = sessionKey(cmd.lsid);
    const txnNumber = txnNumberOf(cmd.txnNumber);
    const prev = this.sessions.get(key);
    if (prev) {
      if (txnNumber < prev.txnNumber) {
        throw new MongoCommandError(
          225,
          `Retryable write with txnNumber ${txnNumber} is prohibited on session ${key} because a newer retryable write with txnNumber ${prev.txnNumber} has already started on this session.`,
        );
      }
      // A retry (its first attempt's reply was lost, or is still on its way): not run again.
      if (txnNumber === prev.txnNumber) return prev.reply;
      this.sessions.delete(key);
    }
    const reply = handler(cmd, ctx);
    const entry: ExecutedWrite = { txnNumber, reply };
    this.sessions.set(key, entry);
    if (this.sessions.size > MAX_REMEMBERED_SESSIONS) this.sessions.delete(this.sessions.keys().next().value as string);
    // A command that failed as a whole did nothing: a retry runs it again.
    const forgetFailure = (r: Document | undefined): void => {
      if (r?.ok !== 1 && this.sessions.get(key) === entry) this.sessions.delete(key);
    };
    if (reply instanceof Promise) reply.then(forgetFailure, () => forgetFailure(undefined));
    else forgetFailure(reply);
    return reply;
  }

  /** endSessions: forget what those sessions wrote. */
  forget(ids: unknown): void {
    if (!Array.isArray(ids)) return;
    for (const lsid of ids) {
      try {
        this.sessions.delete(sessionKey(lsid));
      } catch {
        // not a session id: nothing to forget
      }
    }
  }
}

export function replSetGetStatus(_cmd: Document, ctx: CommandContext): Document {
  const rs = ctx.server.replicaSet;
  if (!rs) throw new MongoCommandError(76, 'not running with --replSet');
  const ts = toTimestamp(ctx.server.engine.history.clusterTime);
  const now = new Date();
  const opTime = { ts, t: rs.term };
  return {
    set: rs.name,
    date: now,
    myState: 1,
    term: rs.term,
    members: [
      {
        _id: 0,
        name: me(rs, ctx),
        health: 1,
        state: 1,
        stateStr: 'PRIMARY',
        uptime: Math.floor((Date.now() - ctx.server.startedAt.getTime()) / 1000),
        optime: opTime,
        optimeDate: now,
        electionId: rs.electionId,
        self: true,
      },
    ],
    ok: 1,
  };
}

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
 * - Retryable writes (./retryable-writes): a write with `lsid` + `txnNumber` is executed once; a
 *   retry with the same number (after a network error) gets the first execution's reply.
 * - Multi-document transactions are not supported and fail loudly (115).
 */
import { Long, ObjectId } from 'bson';
import type { Document, Timestamp } from 'bson';
import { MongoCommandError } from '../errors';
import { toTimestamp } from '../changes/tokens';
import type { ChangeHistory, Ts } from '../changes/history';
import type { CommandContext, ReplicaSetState } from './context';

export function replicaSetState(name: string, advertised: string | undefined, history: ChangeHistory): ReplicaSetState {
  // A term that grows from run to run (the start second): drivers compare electionIds.
  const term = history.floor.t;
  return { name, advertised, electionId: new ObjectId(`7fffffff${term.toString(16).padStart(16, '0')}`), term: Long.fromNumber(term) };
}

function advertisedAddress(replicaSet: ReplicaSetState, ctx: CommandContext): string {
  return replicaSet.advertised ?? ctx.conn.local;
}

/** The replica-set part of a hello reply, in mongod's field order (before the common fields). */
export function helloReplicaSetFields(replicaSet: ReplicaSetState, ctx: CommandContext, writablePrimaryField: string): Document {
  const self = advertisedAddress(replicaSet, ctx);
  const opTime = { ts: toTimestamp(ctx.server.engine.history.clusterTime), t: replicaSet.term };
  const now = new Date();
  return {
    hosts: [self],
    setName: replicaSet.name,
    setVersion: 1,
    [writablePrimaryField]: true,
    secondary: false,
    primary: self,
    me: self,
    electionId: replicaSet.electionId,
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
  let time = stamps.get(now);
  if (!time) {
    time = toTimestamp(now);
    stamps.set(now, time);
  }
  reply.operationTime = time;
}

export function replSetGetStatus(_cmd: Document, ctx: CommandContext): Document {
  const rs = ctx.server.replicaSet;
  if (!rs) throw new MongoCommandError(76, 'not running with --replSet');
  const time = toTimestamp(ctx.server.engine.history.clusterTime);
  const now = new Date();
  const opTime = { ts: time, t: rs.term };
  return {
    set: rs.name,
    date: now,
    myState: 1,
    term: rs.term,
    members: [
      {
        _id: 0,
        name: advertisedAddress(rs, ctx),
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

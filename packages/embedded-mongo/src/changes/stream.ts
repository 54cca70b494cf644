/**
 * `$changeStream`: an aggregate whose first stage is `$changeStream` opens a tailable, awaitable
 * cursor over the change history (see ./history), on one collection, one database
 * (`{aggregate: 1}`) or the whole deployment (`allChangesForCluster` on admin).
 *
 * A getMore returns the events available at once; when there are none it waits — without
 * holding up any other connection — until an event arrives or `maxTimeMS` (the driver's
 * `maxAwaitTimeMS`, default 1 s) passes, then answers with an empty `nextBatch`. Every batch
 * carries a `postBatchResumeToken`. killCursors, the connection closing or the engine stopping
 * end the wait.
 *
 * Stages after `$changeStream` may be the ones MongoDB allows there ($match, $project,
 * $addFields/$set, $unset, $replaceRoot/$replaceWith, $redact); they see each event and must
 * leave its `_id` (the resume token) alone (280).
 */
import { Long, calculateObjectSize } from 'bson';
import type { Document } from 'bson';
import { MongoCommandError } from '../errors';
import { isKnownStage, runPipeline, validatePipeline } from '../aggregate/pipeline';
import { compileFilter } from '../filter/match';
import type { Predicate } from '../filter/match';
import { getField, hasField, isPlainDoc } from '../bson/paths';
import { sameValue } from '../bson/compare';
import type { Doc } from '../bson/paths';
import type { Engine } from '../storage/engine';
import type { QueryOptions } from '../commands/query-options';
import { buildEvent, invalidateEvent } from './events';
import type { BeforeChangeMode, EventOptions, FullDocumentMode } from './events';
import { compareTs, nextTick } from './history';
import type { ChangeEntry, ChangeHistory, Ts } from './history';
import { decodeToken, encodeToken, fromTimestamp } from './tokens';

const MAX_BATCH_BYTES = 16 * 1024 * 1024 - 64 * 1024;
/** mongod's wait for a getMore on an awaitData cursor without maxTimeMS. */
export const DEFAULT_AWAIT_MS = 1000;
const MAX_TIMER_MS = 2 ** 31 - 1;

const ALLOWED_STAGES = new Set(['$match', '$project', '$addFields', '$set', '$unset', '$replaceRoot', '$replaceWith', '$redact']);
const SPEC_FIELDS = new Set([
  'resumeAfter',
  'startAfter',
  'startAtOperationTime',
  'fullDocument',
  'fullDocumentBeforeChange',
  'allChangesForCluster',
  'showExpandedEvents',
  'showMigrationEvents',
]);
const FULL_DOCUMENT = new Set<string>(['default', 'updateLookup', 'whenAvailable', 'required']);
const BEFORE_CHANGE = new Set<string>(['off', 'whenAvailable', 'required']);
const INTERNAL_DBS = new Set(['admin', 'config', 'local']);

const HISTORY_LOST = 'Resume of change stream was not possible, as the resume point may no longer be in the oplog.';

/** What a stream watches: one collection, one database, or every database but the internal ones. */
export type StreamScope = { kind: 'collection'; db: string; coll: string } | { kind: 'database'; db: string } | { kind: 'cluster' };

export interface StreamBatch {
  docs: Document[];
  postBatchResumeToken: { _data: string };
  /** The stream was invalidated: this is its last batch. */
  closed: boolean;
}

type Stage = { match: Predicate } | { stage: Doc };

function enumOption<T extends string>(spec: Doc, field: string, allowed: Set<string>, fallback: T): T {
  const value: unknown = getField(spec, field);
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'string') throw new MongoCommandError(14, `BSON field '$changeStream.${field}' is the wrong type, expected type 'string'`);
  if (!allowed.has(value)) throw new MongoCommandError(2, `Enumeration value '${value}' for field '$changeStream.${field}' is not a valid value.`);
  return value as T;
}

function flag(spec: Doc, field: string): boolean {
  const value: unknown = getField(spec, field);
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw new MongoCommandError(14, `BSON field '$changeStream.${field}' is the wrong type, expected type 'bool'`);
  return value;
}

/** Which namespace the aggregate opens a stream on, checked as mongod checks it. */
function scopeOf(db: string, aggregate: unknown, allChangesForCluster: boolean): StreamScope {
  const collectionless = aggregate === 1;
  if (allChangesForCluster) {
    if (db !== 'admin' || !collectionless) {
      throw new MongoCommandError(
        72,
        `A $changeStream with 'allChangesForCluster:true' may only be opened on the 'admin' database, and with no collection name; found ${db}.${collectionless ? '$cmd.aggregate' : String(aggregate)}`,
      );
    }
    return { kind: 'cluster' };
  }
  if (INTERNAL_DBS.has(db)) throw new MongoCommandError(73, `$changeStream may not be opened on the internal ${db} database`);
  if (collectionless) return { kind: 'database', db };
  const coll = aggregate as string;
  if (coll.startsWith('system.')) throw new MongoCommandError(73, `$changeStream may not be opened on the internal ${db}.${coll} collection`);
  return { kind: 'collection', db, coll };
}

function inScope(scope: StreamScope, entry: ChangeEntry): boolean {
  if (scope.kind === 'cluster') return !INTERNAL_DBS.has(entry.db);
  if (scope.kind === 'database') return entry.db === scope.db;
  return entry.db === scope.db && entry.coll === scope.coll && entry.kind !== 'dropDatabase';
}

/** Entries after which the stream is over: its collection dropped or renamed, its database dropped. */
function invalidates(scope: StreamScope, entry: ChangeEntry): boolean {
  if (scope.kind === 'collection') return entry.kind === 'drop' || entry.kind === 'rename';
  if (scope.kind === 'database') return entry.kind === 'dropDatabase';
  return false;
}

/** The stages after `$changeStream`: only those MongoDB allows in a change stream. */
function compileStages(stages: unknown[], opts: QueryOptions): Stage[] {
  for (const stage of stages) {
    if (!isPlainDoc(stage) || Object.keys(stage).length !== 1) {
      throw new MongoCommandError(40323, 'A pipeline stage specification object must contain exactly one field.');
    }
    const name = Object.keys(stage)[0] as string;
    if (name === '$changeStream') throw new MongoCommandError(40602, '$changeStream is only valid as the first stage in a pipeline');
    if (name === '$changeStreamSplitLargeEvent') throw new MongoCommandError(115, '$changeStreamSplitLargeEvent is not supported by embedded-mongo');
    if (!ALLOWED_STAGES.has(name)) {
      if (isKnownStage(name)) throw new MongoCommandError(20, `${name} is not permitted in a $changeStream pipeline`);
      throw new MongoCommandError(40324, `Unrecognized pipeline stage name: '${name}'`);
    }
  }
  return validatePipeline(stages).map((stage) =>
    hasField(stage, '$match') ? { match: compileFilter(getField(stage, '$match'), { collation: opts.collation, variables: opts.variables }) } : { stage },
  );
}

export interface OpenStream {
  engine: Engine;
  db: string;
  /** The aggregate command (its collection or 1, cursor options, collation, let). */
  cmd: Document;
  pipeline: unknown[];
  opts: QueryOptions;
}

export class ChangeStreamCursor {
  readonly ns: string;
  lastUsed = Date.now();
  private readonly engine: Engine;
  private readonly history: ChangeHistory;
  private readonly scope: StreamScope;
  private readonly events: EventOptions;
  private readonly stages: Stage[];
  private readonly opts: QueryOptions;
  /** Next history sequence number to read, and the earliest cluster time to report. */
  private seq: number;
  private from: Ts;
  /** The entry that invalidated the stream; its invalidate event is still to be sent. */
  private invalidatedBy: ChangeEntry | undefined;
  private killed = false;
  private pending = false;
  private wakeUp: (() => void) | undefined;

  constructor(options: OpenStream) {
    const raw = options.pipeline[0] as Doc;
    const spec: unknown = raw.$changeStream;
    if (!isPlainDoc(spec)) throw new MongoCommandError(50808, '$changeStream stage expects a document as argument');
    for (const key of Object.keys(spec)) {
      if (!SPEC_FIELDS.has(key)) throw new MongoCommandError(40415, `BSON field '$changeStream.${key}' is an unknown field.`);
    }
    if (flag(spec, 'showExpandedEvents')) throw new MongoCommandError(115, "$changeStream option 'showExpandedEvents' is not supported by embedded-mongo");
    flag(spec, 'showMigrationEvents');
    this.engine = options.engine;
    this.history = options.engine.history;
    this.scope = scopeOf(options.db, options.cmd.aggregate, flag(spec, 'allChangesForCluster'));
    this.ns = this.scope.kind === 'collection' ? `${options.db}.${this.scope.coll}` : `${options.db}.$cmd.aggregate`;
    this.events = {
      fullDocument: enumOption<FullDocumentMode>(spec, 'fullDocument', FULL_DOCUMENT, 'default'),
      fullDocumentBeforeChange: enumOption<BeforeChangeMode>(spec, 'fullDocumentBeforeChange', BEFORE_CHANGE, 'off'),
    };
    this.opts = options.opts;
    this.stages = compileStages(options.pipeline.slice(1), options.opts);
    const start = this.startingPoint(spec);
    this.seq = start.seq;
    this.from = start.from;
  }

  private lost(time: Ts): boolean {
    return compareTs(time, this.history.oldest()) < 0;
  }

  /** Where the stream starts: now, a cluster time, or right after a resume token. */
  private startingPoint(spec: Doc): { seq: number; from: Ts } {
    const h = this.history;
    const resumeAfter: unknown = getField(spec, 'resumeAfter');
    const startAfter: unknown = getField(spec, 'startAfter');
    const startAt: unknown = getField(spec, 'startAtOperationTime');
    if (resumeAfter !== undefined && startAfter !== undefined) {
      throw new MongoCommandError(50865, "Do not specify both 'resumeAfter' and 'startAfter' in a $changeStream stage");
    }
    const token = resumeAfter ?? startAfter;
    if (token !== undefined) {
      const data = decodeToken(token);
      if (startAt !== undefined) throw new MongoCommandError(40674, 'Only one type of resume option is allowed, but multiple were found');
      if (resumeAfter !== undefined && data.kind === 'invalidate') {
        throw new MongoCommandError(260, "Attempting to resume a change stream using 'resumeAfter' is not allowed from an invalidate notification");
      }
      // Another run's token: that history is gone (it is not kept across restarts).
      if (data.instance !== h.instance || this.lost(data.ts)) throw new MongoCommandError(286, HISTORY_LOST);
      if (data.kind === 'highWaterMark') return { seq: h.seqAtOrAfter(data.ts), from: data.ts };
      const seq = h.seqAtOrAfter(data.ts);
      const change = h.entry(seq);
      if (!change || compareTs(change.ts, data.ts) !== 0 || !inScope(this.scope, change)) {
        throw new MongoCommandError(280, `cannot resume stream; the resume token was not found. ${JSON.stringify(token)}`);
      }
      return { seq: seq + 1, from: nextTick(data.ts) };
    }
    if (startAt !== undefined) {
      const time = fromTimestamp(startAt, 'startAtOperationTime');
      if (this.lost(time)) throw new MongoCommandError(286, HISTORY_LOST);
      return { seq: h.seqAtOrAfter(time), from: time };
    }
    // A new stream starts right after the latest write, as mongod's does.
    return { seq: h.nextSeq, from: nextTick(h.clusterTime) };
  }

  private runStages(event: Document): Document | undefined {
    let doc: Doc = event;
    for (const s of this.stages) {
      if ('match' in s) {
        if (!s.match(doc)) return undefined;
        continue;
      }
      const out = runPipeline([doc], [s.stage], () => [], this.opts);
      if (out.length === 0) return undefined;
      doc = out[0] as Doc;
    }
    if (!sameValue(doc._id, event._id)) {
      throw new MongoCommandError(
        280,
        `Encountered an event whose _id field, which contains the resume token, was modified by the pipeline. Modifying the _id field of an event makes it impossible to resume the stream from that point. Only transformations that retain the unmodified _id field are allowed. Expected: ${JSON.stringify({ _id: event._id })} but found: ${JSON.stringify(doc._id === undefined ? {} : { _id: doc._id })}`,
      );
    }
    return doc;
  }

  /** The events available now (at most `max`, and about 16 MB). */
  collect(max: number): StreamBatch {
    const h = this.history;
    const docs: Document[] = [];
    let bytes = 0;
    let lastToken: { _data: string } | undefined;
    let closed = false;
    while (docs.length < max) {
      if (this.invalidatedBy) {
        const event = invalidateEvent(this.invalidatedBy, h.instance);
        docs.push(event);
        lastToken = event._id as { _data: string };
        closed = true;
        break;
      }
      if (this.seq < h.firstSeq) throw new MongoCommandError(286, HISTORY_LOST);
      const change = h.entry(this.seq);
      if (!change) break;
      this.seq += 1;
      lastToken = undefined;
      if (compareTs(change.ts, this.from) < 0) continue;
      this.from = nextTick(change.ts);
      if (!inScope(this.scope, change)) continue;
      if (invalidates(this.scope, change)) this.invalidatedBy = change;
      const out = this.runStages(buildEvent(change, h.instance, this.events, this.engine));
      if (!out) continue;
      const n = calculateObjectSize(out);
      if (docs.length > 0 && bytes + n > MAX_BATCH_BYTES) {
        // Not sent yet: read it again next time.
        this.seq -= 1;
        this.from = change.ts;
        if (this.invalidatedBy === change) this.invalidatedBy = undefined;
        break;
      }
      docs.push(out);
      bytes += n;
      lastToken = out._id as { _data: string };
    }
    this.lastUsed = Date.now();
    // The batch ended on a returned event: its token; else how far the stream has read.
    const postBatchResumeToken = lastToken ?? encodeToken(this.from, 'highWaterMark', h.instance);
    return { docs, postBatchResumeToken, closed };
  }

  /** A getMore is running (waiting, typically): the idle-cursor reaper leaves the stream alone. */
  get busy(): boolean {
    return this.pending;
  }

  /** A getMore: events now, or wait for some (or for the time to pass). */
  async next(max: number, awaitMs: number, connectionClosed: AbortSignal): Promise<StreamBatch> {
    if (awaitMs < 0) throw new MongoCommandError(2, 'MaxTimeMS value for getMore must be non-negative');
    this.pending = true;
    try {
      let batch = this.collect(max);
      const deadline = Date.now() + awaitMs;
      while (batch.docs.length === 0 && !batch.closed && Date.now() < deadline) {
        await this.wait(deadline, connectionClosed);
        if (this.killed) throw new MongoCommandError(237, 'cursor killed');
        if (connectionClosed.aborted) break;
        batch = this.collect(max);
      }
      return batch;
    } finally {
      this.pending = false;
      this.lastUsed = Date.now();
    }
  }

  private wait(deadline: number, connectionClosed: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        unsubscribe();
        connectionClosed.removeEventListener('abort', done);
        this.wakeUp = undefined;
        resolve();
      };
      // Node's timers hold at most 2^31-1 ms; a longer wait is several of them (see next()).
      const timer = setTimeout(done, Math.min(MAX_TIMER_MS, Math.max(0, deadline - Date.now())));
      timer.unref();
      const unsubscribe = this.history.subscribe(done);
      connectionClosed.addEventListener('abort', done);
      this.wakeUp = done;
    });
  }

  /** killCursors / engine stop: ends a pending wait. */
  kill(): void {
    this.killed = true;
    this.wakeUp?.();
  }
}

/** The reply to the aggregate or getMore of a change stream. */
export function streamReply(ns: string, batch: StreamBatch, id: Long, first: boolean): Document {
  return {
    cursor: { [first ? 'firstBatch' : 'nextBatch']: batch.docs, postBatchResumeToken: batch.postBatchResumeToken, id: batch.closed ? Long.ZERO : id, ns },
    ok: 1,
  };
}

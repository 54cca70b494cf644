/** find / getMore / killCursors / count / distinct / aggregate. */
import { Long } from 'bson';
import type { Document } from 'bson';
import { MongoCommandError, badValue } from '../errors';
import { COLLECTIONLESS_STAGES, constantSums, runPipeline, validatePipeline } from '../aggregate/pipeline';
import { compileFilter } from '../filter/match';
import { compileProjection } from '../projection/project';
import { compileSort } from '../bson/sort';
import { bsonType, cloneValue, isNumeric, toNumber } from '../bson/values';
import { canonicalKey, collatedKey } from '../bson/keys';
import { isPlainDoc, pathValues, splitPath } from '../bson/paths';
import type { Doc } from '../bson/paths';
import type { AccessPlan, Collection, PlanOptions } from '../storage/collection';
import type { CommandContext, Handler } from './context';
import { NO_QUERY_OPTIONS, readOptions } from './query-options';
import type { QueryOptions } from './query-options';
import { collectionName } from './write';
import { sessionUser } from './sessions';
import { ChangeStreamCursor, DEFAULT_AWAIT_MS, streamReply } from '../changes/stream';

export function cursorReply(ns: string, docs: Doc[], id: Long, first: boolean): Document {
  return { cursor: { [first ? 'firstBatch' : 'nextBatch']: docs, id, ns }, ok: 1 };
}

function optNumber(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isNumeric(value)) throw new MongoCommandError(14, `'${name}' must be a number`);
  return toNumber(value);
}

export interface QueryRun {
  docs: Doc[];
  /** `undefined` when the collection does not exist. */
  plan: AccessPlan | undefined;
  /** Candidates the matcher ran on. */
  docsExamined: number;
  /** Documents that matched, before skip/limit. */
  matched: number;
}

/** Filter + sort + skip + limit over a collection, using the planner for candidates. */
export function executeQuery(
  coll: Collection | undefined,
  filter: unknown,
  sort: unknown,
  skip = 0,
  limit = 0,
  opts: QueryOptions = NO_QUERY_OPTIONS,
): QueryRun {
  const pred = compileFilter(filter, opts);
  const cmp = compileSort(sort, opts.collation);
  if (!coll) return { docs: [], plan: undefined, docsExamined: 0, matched: 0 };
  const out: Doc[] = [];
  const { docs, plan } = coll.candidates(filter, planOptions(opts, sort, skip, limit));
  // Candidates in the sort's order (an index gave it) need no sort: the first matches are the page.
  const isSorted = plan.kind === 'IXSCAN' && plan.order !== undefined;
  const stopAt = (!cmp || isSorted) && limit > 0 ? skip + limit : Infinity;
  let docsExamined = 0;
  for (const doc of docs) {
    docsExamined++;
    if (pred(doc)) {
      out.push(doc);
      if (out.length >= stopAt) break;
    }
  }
  if (cmp && !isSorted) out.sort(cmp);
  const end = limit > 0 ? skip + limit : undefined;
  const page = skip > 0 || end !== undefined ? out.slice(skip, end) : out;
  return { docs: page, plan, docsExamined, matched: out.length };
}

/** What the planner is told about a query: its options, and the sort with how many documents it needs. */
export function planOptions(opts: QueryOptions, sort: unknown, skip: number, limit: number): PlanOptions {
  return limit > 0 && sort !== undefined && sort !== null ? { ...opts, sort, limit: skip + limit } : opts;
}

export function runQuery(coll: Collection | undefined, filter: unknown, sort: unknown, skip = 0, limit = 0, opts: QueryOptions = NO_QUERY_OPTIONS): Doc[] {
  return executeQuery(coll, filter, sort, skip, limit, opts).docs;
}

export interface FindOptions {
  name: string;
  filter: unknown;
  sort: unknown;
  projection: unknown;
  skip: number;
  limit: number;
  singleBatch: boolean;
  batchSize: number | undefined;
}

export function parseFind(cmd: Document): FindOptions {
  const name = collectionName(cmd, 'find');
  const skip = optNumber(cmd.skip, 'skip') ?? 0;
  let limit = optNumber(cmd.limit, 'limit') ?? 0;
  let singleBatch = cmd.singleBatch === true;
  if (skip < 0) throw badValue('skip value must be non-negative');
  if (limit < 0) {
    limit = -limit;
    singleBatch = true;
  }
  const batchSize = optNumber(cmd.batchSize, 'batchSize');
  if (batchSize !== undefined && batchSize < 0) throw badValue('batchSize value must be non-negative');
  return { name, filter: cmd.filter, sort: cmd.sort, projection: cmd.projection, skip, limit, singleBatch, batchSize };
}

const find: Handler = (cmd, ctx) => {
  const f = parseFind(cmd);
  const ns = `${ctx.db}.${f.name}`;
  const coll = ctx.server.engine.getCollection(ctx.db, f.name);
  const opts = readOptions(cmd, coll);
  const project = compileProjection(f.projection, { filter: f.filter, match: opts });
  const docs = runQuery(coll, f.filter, f.sort, f.skip, f.limit, opts);
  const b = ctx.server.cursors.open(ns, docs, f.batchSize ?? 101, f.singleBatch, project);
  return cursorReply(ns, b.docs, b.id, true);
};

const getMore: Handler = (cmd, ctx) => {
  const id = cmd.getMore;
  const tag = bsonType(id);
  if (tag !== 'Long' && typeof id !== 'number') throw new MongoCommandError(14, "Field 'getMore' must be of type long");
  const longId = tag === 'Long' ? (id as Long) : Long.fromNumber(id as number);
  const name = collectionName(cmd, 'collection');
  const ns = `${ctx.db}.${name}`;
  const batchSize = optNumber(cmd.batchSize, 'batchSize');
  const stream = ctx.server.cursors.stream(longId, ns);
  if (stream) return streamGetMore(ctx, stream, longId, batchSize, optNumber(cmd.maxTimeMS, 'maxTimeMS'));
  const b = ctx.server.cursors.getMore(longId, ns, batchSize);
  return cursorReply(ns, b.docs, b.id, false);
};

/** A change stream's getMore waits up to maxTimeMS (the driver's maxAwaitTimeMS) for events. */
async function streamGetMore(
  ctx: CommandContext,
  stream: ChangeStreamCursor,
  id: Long,
  batchSize: number | undefined,
  maxTimeMS: number | undefined,
): Promise<Document> {
  const { cursors } = ctx.server;
  try {
    const batch = await stream.next(batchSize && batchSize > 0 ? batchSize : Infinity, maxTimeMS ?? DEFAULT_AWAIT_MS, ctx.conn.closed);
    if (batch.closed) cursors.kill(id);
    return streamReply(stream.ns, batch, id, false);
  } catch (error) {
    // As mongod: a cursor whose getMore failed is gone.
    cursors.kill(id);
    throw error;
  }
}

const killCursors: Handler = (cmd, ctx) => {
  const ids = cmd.cursors;
  if (!Array.isArray(ids)) throw badValue('killCursors requires a cursors array');
  const killed: Long[] = [];
  const notFound: Long[] = [];
  for (const raw of ids) {
    const id = bsonType(raw) === 'Long' ? (raw as Long) : Long.fromNumber(toNumber(raw));
    (ctx.server.cursors.kill(id) ? killed : notFound).push(id);
  }
  return { cursorsKilled: killed, cursorsNotFound: notFound, cursorsAlive: [], cursorsUnknown: [], ok: 1 };
};

export interface CountOptions {
  name: string;
  query: unknown;
  skip: number;
  limit: number;
}

export function parseCount(cmd: Document): CountOptions {
  return {
    name: collectionName(cmd, 'count'),
    query: cmd.query,
    skip: optNumber(cmd.skip, 'skip') ?? 0,
    limit: Math.abs(optNumber(cmd.limit, 'limit') ?? 0),
  };
}

/** An empty count query is answered from the collection size without looking at documents. */
export function isFastCount(query: unknown): boolean {
  return !query || (isPlainDoc(query) && Object.keys(query).length === 0);
}

const count: Handler = (cmd, ctx) => {
  const { name, query, skip, limit } = parseCount(cmd);
  const coll = ctx.server.engine.getCollection(ctx.db, name);
  const opts = readOptions(cmd, coll);
  if (isFastCount(query) && opts.hint === undefined) {
    const total = coll?.docs.size ?? 0;
    const n = Math.max(0, total - skip);
    return { n: limit > 0 ? Math.min(n, limit) : n, ok: 1 };
  }
  return { n: runQuery(coll, query, undefined, skip, limit, opts).length, ok: 1 };
};

const distinct: Handler = (cmd, ctx) => {
  const name = collectionName(cmd, 'distinct');
  if (typeof cmd.key !== 'string') throw new MongoCommandError(14, "'key' must be a string");
  const parts = splitPath(cmd.key);
  const coll = ctx.server.engine.getCollection(ctx.db, name);
  const opts = readOptions(cmd, coll);
  // Under a collation, values it calls equal are one value (the first one met is returned).
  const classOf = opts.collation?.classes();
  const keyOf = classOf ? (x: unknown) => collatedKey(x, classOf) : canonicalKey;
  const seen = new Map<string, unknown>();
  for (const doc of runQuery(coll, cmd.query, undefined, 0, 0, opts)) {
    for (const value of pathValues(doc, parts)) {
      const vals = Array.isArray(value) ? value : [value];
      for (const x of vals) {
        const key = keyOf(x);
        if (!seen.has(key)) seen.set(key, x);
      }
    }
  }
  return { values: [...seen.values()], ok: 1 };
};

/** A leading `$match` is run by the query planner (indexes); the rest by the pipeline runner. */
export function splitLeadingMatch(pipeline: Doc[]): { match: unknown; rest: Doc[] } {
  const head = pipeline[0];
  if (head && '$match' in head) return { match: head.$match, rest: pipeline.slice(1) };
  return { match: undefined, rest: pipeline };
}

export function resolver(ctx: CommandContext): (coll: string) => Doc[] {
  return (coll) => [...(ctx.server.engine.getCollection(ctx.db, coll)?.docs.values() ?? [])].map((d) => cloneValue(d));
}

/**
 * `{aggregate: 1}` runs a pipeline that starts with a stage producing its own documents
 * (`$documents`, or the sessions `$listLocalSessions` lists); any other first stage needs a
 * collection, as mongod says.
 */
function collectionlessInput(pipeline: Doc[], ctx: CommandContext): { input: Doc[]; rest: Doc[] } {
  const head = pipeline[0] ?? {};
  const first = Object.keys(head)[0];
  if (first === undefined) throw new MongoCommandError(73, '{aggregate: 1} is not valid for an empty pipeline.');
  if (!COLLECTIONLESS_STAGES.has(first)) throw new MongoCommandError(73, `{aggregate: 1} is not valid for '${first}'; a collection is required.`);
  if (first === '$listLocalSessions') return { input: ctx.server.sessions.list(head.$listLocalSessions, sessionUser(ctx.conn.user)), rest: pipeline.slice(1) };
  return { input: [], rest: pipeline };
}

/** Position of a `$changeStream` stage in a raw pipeline (-1 when there is none). */
function changeStreamStage(pipeline: unknown): number {
  return Array.isArray(pipeline) ? pipeline.findIndex((s) => isPlainDoc(s) && Object.hasOwn(s, '$changeStream')) : -1;
}

/** `aggregate` whose first stage is `$changeStream`: opens a tailable change-stream cursor. */
function openChangeStream(cmd: Document, ctx: CommandContext, pipeline: unknown[]): Document {
  const { engine, cursors } = ctx.server;
  // A standalone mongod has no oplog to read changes from.
  if (!engine.history.enabled) throw new MongoCommandError(40573, 'The $changeStream stage is only supported on replica sets');
  if (!isPlainDoc(cmd.cursor)) throw new MongoCommandError(9, "The 'cursor' option is required, except for aggregate with the explain argument");
  if (cmd.aggregate !== 1) collectionName(cmd, 'aggregate');
  const batchSize = optNumber(cmd.cursor.batchSize, 'batchSize');
  const coll = typeof cmd.aggregate === 'string' ? engine.getCollection(ctx.db, cmd.aggregate) : undefined;
  const stream = new ChangeStreamCursor({ engine, db: ctx.db, cmd, pipeline, opts: readOptions(cmd, coll) });
  const batch = stream.collect(batchSize ?? 101);
  const id = batch.closed ? Long.ZERO : cursors.openStream(stream);
  return streamReply(stream.ns, batch, id, true);
}

const aggregate: Handler = (cmd, ctx) => {
  const streamAt = changeStreamStage(cmd.pipeline);
  if (streamAt > 0) throw new MongoCommandError(40602, '$changeStream is only valid as the first stage in a pipeline');
  if (streamAt === 0) return openChangeStream(cmd, ctx, cmd.pipeline as unknown[]);
  const collectionless = cmd.aggregate === 1;
  const name = collectionless ? '$cmd.aggregate' : collectionName(cmd, 'aggregate');
  const ns = `${ctx.db}.${name}`;
  const pipeline = validatePipeline(cmd.pipeline);
  if (!isPlainDoc(cmd.cursor)) throw new MongoCommandError(9, "The 'cursor' option is required, except for aggregate with the explain argument");
  const batchSize = optNumber(cmd.cursor.batchSize, 'batchSize');
  const coll = collectionless ? undefined : ctx.server.engine.getCollection(ctx.db, name);
  const opts = readOptions(cmd, coll);
  let input: Doc[];
  let rest = pipeline;
  if (collectionless) ({ input, rest } = collectionlessInput(pipeline, ctx));
  else {
    const first = Object.keys(pipeline[0] ?? {})[0];
    if (first !== undefined && COLLECTIONLESS_STAGES.has(first)) throw new MongoCommandError(73, `${first} is only valid with {aggregate: 1}`);
    const split = splitLeadingMatch(pipeline);
    rest = split.rest;
    // A count of a range an index keeps in order is read from the index (countDocuments on a date, say).
    const group = rest[0]?.$group;
    const counted = group !== undefined ? constantSums(group) : undefined;
    const fromIndex = counted && coll ? coll.countByIndex(split.match, opts) : undefined;
    if (counted && fromIndex !== undefined) {
      input = counted(fromIndex);
      rest = rest.slice(1);
    } else input = runQuery(coll, split.match, undefined, 0, 0, opts);
  }
  const out = runPipeline(input, rest, resolver(ctx), opts);
  const b = ctx.server.cursors.open(ns, out, batchSize ?? 101, false);
  return cursorReply(ns, b.docs, b.id, true);
};

export const readHandlers: Record<string, Handler> = { find, getMore, killCursors, count, distinct, aggregate };

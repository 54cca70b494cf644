/** insert / update / delete / findAndModify. Effects are applied synchronously, then committed. */
import { ObjectId } from 'bson';
import type { Document } from 'bson';
import { MongoCommandError, badValue } from '../errors';
import { compileFilter, equalityFields } from '../filter/match';
import type { MatchDetails, Predicate } from '../filter/match';
import { compileProjection } from '../projection/project';
import { compileSort } from '../bson/sort';
import { prepareUpdate, upsertSeed } from '../update/update';
import type { AppliedModifier } from '../update/update';
import { toTimestamp } from '../changes/tokens';
import { mergeVariables, parseLet } from '../aggregate/variables';
import { bsonType, toNumber } from '../bson/values';
import { sameValue } from '../bson/compare';
import { isPlainDoc, setField } from '../bson/paths';
import type { Doc } from '../bson/paths';
import { Effects } from '../storage/engine';
import type { Engine } from '../storage/engine';
import type { Collection } from '../storage/collection';
import type { CommandContext, Handler } from './context';
import { queryOptions } from './query-options';
import type { QueryOptions } from './query-options';
import { documentValidator } from './validation';

interface WriteError {
  index: number;
  code: number;
  codeName: string;
  errmsg: string;
  [k: string]: unknown;
}

function toWriteError(index: number, error: unknown): WriteError {
  if (error instanceof MongoCommandError) {
    return { index, code: error.code, codeName: error.codeName, errmsg: error.message, ...(error.extra ?? {}) };
  }
  return { index, code: 1, codeName: 'InternalError', errmsg: (error as Error).message ?? String(error) };
}

export function collectionName(cmd: Document, key: string): string {
  const value: unknown = cmd[key];
  if (typeof value !== 'string' || value.length === 0) throw new MongoCommandError(73, `Invalid namespace specified: ${String(value)}`);
  return value;
}

const DBREF_FIELDS = new Set(['$ref', '$id', '$db']);

/** Puts `_id` first, generating an ObjectId when missing. */
export function prepareForInsert(doc: unknown): Doc {
  if (!isPlainDoc(doc)) throw badValue('document to insert must be an object');
  let id: unknown = doc._id;
  if (id === undefined) id = new ObjectId();
  if (Array.isArray(id)) throw new MongoCommandError(53, `The '_id' value cannot be of type array`);
  if (id instanceof RegExp || bsonType(id) === 'BSONRegExp') throw new MongoCommandError(53, `The '_id' value cannot be of type regex`);
  const dollar = isPlainDoc(id) ? Object.keys(id).find((k) => k.startsWith('$') && !DBREF_FIELDS.has(k)) : undefined;
  if (dollar !== undefined) {
    throw new MongoCommandError(
      52,
      `_id fields may not contain '$'-prefixed fields: The dollar ($) prefixed field '${dollar}' in '_id.${dollar}' is not valid for storage.`,
    );
  }
  const out: Doc = { _id: id };
  for (const key of Object.keys(doc)) if (key !== '_id') setField(out, key, doc[key]);
  return out;
}

export function finish(engine: Engine, effects: Effects, reply: Document): Document | Promise<Document> {
  const p = engine.commit(effects);
  // A write's operationTime is the cluster time of its own last change (startAtOperationTime).
  if (effects.opTime) reply.operationTime = toTimestamp(effects.opTime);
  return p ? p.then(() => reply) : reply;
}

/** The documents a write's filter selects, and the compiled filter (for positional updates). */
function matching(coll: Collection | undefined, filter: unknown, limitOne: boolean, opts: QueryOptions, sort?: unknown): { docs: Doc[]; pred: Predicate } {
  const pred = compileFilter(filter, opts);
  const cmp = compileSort(sort, opts.collation);
  if (!coll) return { docs: [], pred };
  const out: Doc[] = [];
  for (const doc of coll.candidates(filter, opts).docs) {
    if (pred(doc)) {
      out.push(doc);
      if (limitOne && !cmp) break;
    }
  }
  if (cmp) out.sort(cmp);
  return { docs: limitOne ? out.slice(0, 1) : out, pred };
}

/**
 * Runs each statement of a write batch as MongoDB does: a failing statement becomes a write error
 * inside an ok:1 reply, and an ordered batch stops at the first one.
 */
function runStatements(statements: unknown[], ordered: boolean, run: (statement: unknown, index: number) => void): WriteError[] {
  const writeErrors: WriteError[] = [];
  for (let i = 0; i < statements.length; i++) {
    try {
      run(statements[i], i);
    } catch (error) {
      writeErrors.push(toWriteError(i, error));
      if (ordered) break;
    }
  }
  return writeErrors;
}

const insert: Handler = (cmd, ctx) => {
  const name = collectionName(cmd, 'insert');
  const docs = cmd.documents;
  if (!Array.isArray(docs)) throw badValue('insert requires a documents array');
  const ordered = cmd.ordered !== false;
  const { engine } = ctx.server;
  const effects = new Effects();
  const coll = engine.ensureCollection(effects, ctx.db, name);
  const validate = documentValidator(coll, ctx.server.logger, cmd.bypassDocumentValidation === true);
  let n = 0;
  const writeErrors = runStatements(docs, ordered, (doc) => {
    const prepared = prepareForInsert(doc);
    validate?.(prepared, undefined);
    engine.insert(effects, coll, prepared);
    n++;
  });
  const reply: Document = { n };
  if (writeErrors.length) reply.writeErrors = writeErrors;
  reply.ok = 1;
  return finish(engine, effects, reply);
};

interface UpdateOutcome {
  n: number;
  nModified: number;
  upsertedId?: unknown;
  before?: Doc;
  after?: Doc;
}

interface UpdateStatement {
  upsert: boolean;
  multi: boolean;
  sort?: unknown;
  arrayFilters?: unknown;
  /** Statement constants (`c`): only pipeline updates take them. */
  constants?: unknown;
  /** collation / hint of the statement (or the findAndModify command), and its variables. */
  source: Document;
  variables: Doc | undefined;
  bypassValidation: boolean;
}

/** One update statement (shared by update and findAndModify). */
function updateOne(
  engine: Engine,
  effects: Effects,
  ctx: CommandContext,
  name: string,
  filter: unknown,
  modification: unknown,
  statement: UpdateStatement,
): UpdateOutcome {
  let coll = engine.getCollection(ctx.db, name);
  const opts = queryOptions(statement.source, coll, statement.variables);
  const { docs: targets, pred } = matching(coll, filter, !statement.multi, opts, statement.sort);
  const update = prepareUpdate(modification, { ...opts, arrayFilters: statement.arrayFilters, multi: statement.multi, constants: statement.constants });
  const now = new Date();
  if (targets.length === 0) {
    if (!statement.upsert) return { n: 0, nModified: 0 };
    coll ??= engine.ensureCollection(effects, ctx.db, name);
    const seed = upsertSeed(equalityFields(filter));
    const next = prepareForInsert(update.apply(seed, { isInsert: true, now }));
    documentValidator(coll, ctx.server.logger, statement.bypassValidation)?.(next, undefined);
    engine.insert(effects, coll, next);
    return { n: 1, nModified: 0, upsertedId: next._id, after: next };
  }
  const validate = documentValidator(coll as Collection, ctx.server.logger, statement.bypassValidation);
  const recording = engine.history.enabled;
  let nModified = 0;
  let last: UpdateOutcome = { n: 0, nModified: 0 };
  for (const old of targets) {
    // `$` stands for the array position where the query matched this document.
    const details: MatchDetails = {};
    if (update.positional) pred(old, details);
    const applied: AppliedModifier[] | undefined = recording && update.kind === 'operators' ? [] : undefined;
    const next = update.apply(old, { isInsert: false, position: details.elemMatchKey, now, applied });
    if (next._id === undefined) next._id = old._id;
    // A replacement or pipeline may move _id; stored documents keep it first.
    const ordered = Object.keys(next)[0] === '_id' ? next : prepareForInsert(next);
    if (!sameValue(old, ordered)) {
      validate?.(ordered, old);
      const kind = update.kind === 'replacement' ? 'replace' : 'update';
      engine.replace(effects, coll as Collection, ordered, { pre: old, kind, applied, pipeline: update.kind === 'pipeline' });
      nModified++;
    }
    last = { n: 0, nModified: 0, before: old, after: ordered };
  }
  return { ...last, n: targets.length, nModified };
}

/**
 * `sort` in an update statement exists from MongoDB 8.0 on; the engine answers as the 7.0 it
 * claims to be, whose strict parser refuses the whole command.
 */
function refuseStatementSort(stmts: unknown[]): void {
  for (const s of stmts) {
    if (isPlainDoc(s) && s.sort !== undefined) throw new MongoCommandError(40415, "BSON field 'update.updates.sort' is an unknown field.");
  }
}

const update: Handler = (cmd, ctx) => {
  const name = collectionName(cmd, 'update');
  const stmts = cmd.updates;
  if (!Array.isArray(stmts)) throw badValue('update requires an updates array');
  refuseStatementSort(stmts);
  const variables = parseLet(cmd.let);
  const ordered = cmd.ordered !== false;
  const { engine } = ctx.server;
  const effects = new Effects();
  let n = 0;
  let nModified = 0;
  const upserted: Document[] = [];
  const writeErrors = runStatements(stmts, ordered, (statement, position) => {
    if (!isPlainDoc(statement)) throw badValue('update statement must be an object');
    const r = updateOne(engine, effects, ctx, name, statement.q, statement.u, {
      upsert: statement.upsert === true,
      multi: statement.multi === true,
      arrayFilters: statement.arrayFilters,
      constants: statement.c,
      source: statement,
      variables: mergeVariables(variables, statement.c),
      bypassValidation: cmd.bypassDocumentValidation === true,
    });
    n += r.n;
    nModified += r.nModified;
    if (r.upsertedId !== undefined) upserted.push({ index: position, _id: r.upsertedId });
  });
  const reply: Document = { n, nModified };
  if (upserted.length) reply.upserted = upserted;
  if (writeErrors.length) reply.writeErrors = writeErrors;
  reply.ok = 1;
  return finish(engine, effects, reply);
};

const del: Handler = (cmd, ctx) => {
  const name = collectionName(cmd, 'delete');
  const stmts = cmd.deletes;
  if (!Array.isArray(stmts)) throw badValue('delete requires a deletes array');
  const ordered = cmd.ordered !== false;
  const variables = parseLet(cmd.let);
  const { engine } = ctx.server;
  const effects = new Effects();
  const coll = engine.getCollection(ctx.db, name);
  let n = 0;
  const writeErrors = runStatements(stmts, ordered, (statement) => {
    if (!isPlainDoc(statement)) throw badValue('delete statement must be an object');
    const limit = toNumber(statement.limit ?? 0);
    if (limit !== 0 && limit !== 1) throw badValue(`The limit field in delete objects must be 0 or 1. Got ${limit}`);
    const { docs: targets } = matching(coll, statement.q, limit === 1, queryOptions(statement, coll, variables));
    for (const doc of targets) engine.remove(effects, coll as Collection, doc);
    n += targets.length;
  });
  const reply: Document = { n };
  if (writeErrors.length) reply.writeErrors = writeErrors;
  reply.ok = 1;
  return finish(engine, effects, reply);
};

const findAndModify: Handler = (cmd, ctx) => {
  const name = collectionName(cmd, Object.keys(cmd)[0] ?? 'findAndModify');
  const { engine } = ctx.server;
  const effects = new Effects();
  const variables = parseLet(cmd.let);
  const coll = engine.getCollection(ctx.db, name);
  const opts = queryOptions(cmd, coll, variables);
  const project = compileProjection(cmd.fields, { filter: cmd.query, match: opts });
  // A positional projection finds its element in the document as the query matched it.
  const out = (d: Doc | undefined, matched: Doc | undefined): Doc | null => (d ? (project ? project(d, matched) : d) : null);
  if (cmd.remove === true) {
    if (cmd.update !== undefined) throw badValue('Cannot specify both an update and remove=true');
    if (cmd.arrayFilters !== undefined) throw new MongoCommandError(72, 'Cannot specify arrayFilters and remove=true');
    const [target] = matching(coll, cmd.query, true, opts, cmd.sort).docs;
    if (target) engine.remove(effects, coll as Collection, target);
    return finish(engine, effects, { lastErrorObject: { n: target ? 1 : 0 }, value: out(target, target), ok: 1 });
  }
  if (cmd.update === undefined) throw badValue('Either an update or remove=true must be specified');
  const r = updateOne(engine, effects, ctx, name, cmd.query, cmd.update, {
    upsert: cmd.upsert === true,
    multi: false,
    sort: cmd.sort,
    arrayFilters: cmd.arrayFilters,
    source: cmd,
    variables,
    bypassValidation: cmd.bypassDocumentValidation === true,
  });
  const leo: Document = { n: r.n, updatedExisting: r.n > 0 && r.upsertedId === undefined };
  if (r.upsertedId !== undefined) leo.upserted = r.upsertedId;
  const value = cmd.new === true ? r.after : r.upsertedId !== undefined ? undefined : r.before;
  return finish(engine, effects, { lastErrorObject: leo, value: out(value, r.before ?? r.after), ok: 1 });
};

export const writeHandlers: Record<string, Handler> = {
  insert,
  update,
  delete: del,
  findAndModify,
  findandmodify: findAndModify,
};

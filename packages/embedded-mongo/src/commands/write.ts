/** insert / update / delete / findAndModify. Effects are applied synchronously, then committed. */
import { ObjectId } from 'bson';
import type { Document } from 'bson';
import { MongoCommandError, badValue } from '../errors';
import { compileFilter, equalityFields } from '../query/match';
import { compileProjection } from '../query/project';
import { compileSort } from '../query/sort';
import { applyUpdate, upsertSeed, validateUpdate } from '../query/update';
import { bsonType, isPlainDoc, sameValue, toNumber } from '../query/values';
import { setField } from '../query/paths';
import type { Doc } from '../query/values';
import { Effects } from '../storage/engine';
import type { Engine } from '../storage/engine';
import type { Collection } from '../storage/collection';
import type { CommandContext, Handler } from './context';

interface WriteError {
  index: number;
  code: number;
  codeName: string;
  errmsg: string;
  [k: string]: unknown;
}

function toWriteError(index: number, e: unknown): WriteError {
  if (e instanceof MongoCommandError) {
    return { index, code: e.code, codeName: e.codeName, errmsg: e.message, ...(e.extra ?? {}) };
  }
  return { index, code: 1, codeName: 'InternalError', errmsg: (e as Error).message ?? String(e) };
}

export function collectionName(cmd: Document, key: string): string {
  const v: unknown = cmd[key];
  if (typeof v !== 'string' || v.length === 0) throw new MongoCommandError(73, `Invalid namespace specified: ${String(v)}`);
  return v;
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
    throw new MongoCommandError(52, `_id fields may not contain '$'-prefixed fields: The dollar ($) prefixed field '${dollar}' in '_id.${dollar}' is not valid for storage.`);
  }
  const out: Doc = { _id: id };
  for (const k of Object.keys(doc)) if (k !== '_id') setField(out, k, doc[k]);
  return out;
}

function finish(engine: Engine, fx: Effects, reply: Document): Document | Promise<Document> {
  const p = engine.commit(fx);
  return p ? p.then(() => reply) : reply;
}

function matching(c: Collection | undefined, filter: unknown, limitOne: boolean, sort?: unknown): Doc[] {
  if (!c) return [];
  const pred = compileFilter(filter);
  const cmp = compileSort(sort);
  const out: Doc[] = [];
  for (const d of c.candidates(filter).docs) {
    if (pred(d)) {
      out.push(d);
      if (limitOne && !cmp) break;
    }
  }
  if (cmp) out.sort(cmp);
  return limitOne ? out.slice(0, 1) : out;
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
    } catch (e) {
      writeErrors.push(toWriteError(i, e));
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
  const fx = new Effects();
  const c = engine.ensureCollection(fx, ctx.db, name);
  let n = 0;
  const writeErrors = runStatements(docs, ordered, (doc) => {
    engine.insert(fx, c, prepareForInsert(doc));
    n++;
  });
  const reply: Document = { n };
  if (writeErrors.length) reply.writeErrors = writeErrors;
  reply.ok = 1;
  return finish(engine, fx, reply);
};

interface UpdateOutcome {
  n: number;
  nModified: number;
  upsertedId?: unknown;
  before?: Doc;
  after?: Doc;
}

/** One update statement (shared by update and findAndModify). */
function updateOne(
  engine: Engine,
  fx: Effects,
  ctx: CommandContext,
  name: string,
  q: unknown,
  u: unknown,
  opts: { upsert: boolean; multi: boolean; sort?: unknown; arrayFilters?: unknown },
): UpdateOutcome {
  if (opts.arrayFilters !== undefined) throw badValue('arrayFilters are not supported by embedded-mongo');
  const update = validateUpdate(u);
  let c = engine.getCollection(ctx.db, name);
  const targets = matching(c, q, !opts.multi, opts.sort);
  if (targets.length === 0) {
    if (!opts.upsert) return { n: 0, nModified: 0 };
    c ??= engine.ensureCollection(fx, ctx.db, name);
    const seed = upsertSeed(equalityFields(q));
    const next = prepareForInsert(applyUpdate(seed, update, true));
    engine.insert(fx, c, next);
    return { n: 1, nModified: 0, upsertedId: next._id, after: next };
  }
  let nModified = 0;
  let last: UpdateOutcome = { n: 0, nModified: 0 };
  for (const old of targets) {
    const next = applyUpdate(old, update, false);
    if (next._id === undefined) next._id = old._id;
    const ordered = next._id === old._id || Object.keys(next)[0] === '_id' ? next : prepareForInsert(next);
    if (!sameValue(old, ordered)) {
      engine.replace(fx, c as Collection, ordered);
      nModified++;
    }
    last = { n: 0, nModified: 0, before: old, after: ordered };
  }
  return { ...last, n: targets.length, nModified };
}

const update: Handler = (cmd, ctx) => {
  const name = collectionName(cmd, 'update');
  const stmts = cmd.updates;
  if (!Array.isArray(stmts)) throw badValue('update requires an updates array');
  const ordered = cmd.ordered !== false;
  const { engine } = ctx.server;
  const fx = new Effects();
  let n = 0;
  let nModified = 0;
  const upserted: Document[] = [];
  const writeErrors = runStatements(stmts, ordered, (s, i) => {
    if (!isPlainDoc(s)) throw badValue('update statement must be an object');
    const r = updateOne(engine, fx, ctx, name, s.q, s.u, {
      upsert: s.upsert === true,
      multi: s.multi === true,
      arrayFilters: s.arrayFilters,
    });
    n += r.n;
    nModified += r.nModified;
    if (r.upsertedId !== undefined) upserted.push({ index: i, _id: r.upsertedId });
  });
  const reply: Document = { n, nModified };
  if (upserted.length) reply.upserted = upserted;
  if (writeErrors.length) reply.writeErrors = writeErrors;
  reply.ok = 1;
  return finish(engine, fx, reply);
};

const del: Handler = (cmd, ctx) => {
  const name = collectionName(cmd, 'delete');
  const stmts = cmd.deletes;
  if (!Array.isArray(stmts)) throw badValue('delete requires a deletes array');
  const ordered = cmd.ordered !== false;
  const { engine } = ctx.server;
  const fx = new Effects();
  const c = engine.getCollection(ctx.db, name);
  let n = 0;
  const writeErrors = runStatements(stmts, ordered, (s) => {
    if (!isPlainDoc(s)) throw badValue('delete statement must be an object');
    const limit = toNumber(s.limit ?? 0);
    if (limit !== 0 && limit !== 1) throw badValue(`The limit field in delete objects must be 0 or 1. Got ${limit}`);
    const targets = matching(c, s.q, limit === 1);
    for (const d of targets) engine.remove(fx, c as Collection, d);
    n += targets.length;
  });
  const reply: Document = { n };
  if (writeErrors.length) reply.writeErrors = writeErrors;
  reply.ok = 1;
  return finish(engine, fx, reply);
};

const findAndModify: Handler = (cmd, ctx) => {
  const name = collectionName(cmd, Object.keys(cmd)[0] ?? 'findAndModify');
  const { engine } = ctx.server;
  const fx = new Effects();
  const project = compileProjection(cmd.fields);
  const out = (d: Doc | undefined): Doc | null => (d ? (project ? project(d) : d) : null);
  if (cmd.remove === true) {
    if (cmd.update !== undefined) throw badValue('Cannot specify both an update and remove=true');
    const c = engine.getCollection(ctx.db, name);
    const [target] = matching(c, cmd.query, true, cmd.sort);
    if (target) engine.remove(fx, c as Collection, target);
    return finish(engine, fx, { lastErrorObject: { n: target ? 1 : 0 }, value: out(target), ok: 1 });
  }
  if (cmd.update === undefined) throw badValue('Either an update or remove=true must be specified');
  const r = updateOne(engine, fx, ctx, name, cmd.query, cmd.update, {
    upsert: cmd.upsert === true,
    multi: false,
    sort: cmd.sort,
    arrayFilters: cmd.arrayFilters,
  });
  const leo: Document = { n: r.n, updatedExisting: r.n > 0 && r.upsertedId === undefined };
  if (r.upsertedId !== undefined) leo.upserted = r.upsertedId;
  const value = cmd.new === true ? r.after : r.upsertedId !== undefined ? undefined : r.before;
  return finish(engine, fx, { lastErrorObject: leo, value: out(value), ok: 1 });
};

export const writeHandlers: Record<string, Handler> = {
  insert,
  update,
  delete: del,
  findAndModify,
  findandmodify: findAndModify,
};

/** create / drop / dropDatabase / listCollections / listDatabases / *Indexes / renameCollection. */
import { Long, calculateObjectSize } from 'bson';
import type { Document } from 'bson';
import { MongoCommandError, badValue } from '../errors';
import { parseCollation } from '../bson/collation';
import { compileFilter } from '../filter/match';
import { isNumeric, toNumber } from '../bson/values';
import { sameValue } from '../bson/compare';
import { isPlainDoc, setField } from '../bson/paths';
import type { Doc } from '../bson/paths';
import { normalizeIndexKey } from '../storage/collection';
import type { Collection, IndexSpec } from '../storage/collection';
import { Effects, splitNs, validateCollectionName } from '../storage/engine';
import type { Handler } from './context';
import { cursorReply } from './read';
import { checkCappedOptions, checkValidationOptions, preAndPostImagesOption } from './validation';
import { collectionName, finish } from './write';

const UNSUPPORTED_CREATE_OPTIONS = ['viewOn', 'pipeline', 'timeseries', 'clusteredIndex', 'encryptedFields'];

/** Fields of a command that are about the request, not options to store. */
export const GENERIC_COMMAND_FIELDS = new Set([
  '$db',
  'lsid',
  '$clusterTime',
  'writeConcern',
  '$readPreference',
  'comment',
  'apiVersion',
  'apiStrict',
  'apiDeprecationErrors',
  'maxTimeMS',
]);

const create: Handler = (cmd, ctx) => {
  const name = validateCollectionName(cmd.create);
  for (const opt of UNSUPPORTED_CREATE_OPTIONS) {
    if (cmd[opt] !== undefined) throw new MongoCommandError(115, `create option '${opt}' is not supported by embedded-mongo`);
  }
  checkCappedOptions(cmd);
  // The collation is stored in full (as listCollections shows it); `simple` is no collation.
  const collation = cmd.collation === undefined ? undefined : parseCollation(cmd.collation);
  const { engine } = ctx.server;
  if (engine.getCollection(ctx.db, name)) throw new MongoCommandError(48, `Collection ${ctx.db}.${name} already exists.`);
  const options: Doc = {};
  for (const [k, v] of Object.entries(cmd)) {
    if (k === 'create' || GENERIC_COMMAND_FIELDS.has(k)) continue;
    setField(options, k, v);
  }
  if (collation) options.collation = collation.spec;
  else delete options.collation;
  if (cmd.changeStreamPreAndPostImages !== undefined) {
    const images = preAndPostImagesOption(cmd, 'create', cmd.capped === true || (isNumeric(cmd.capped) && toNumber(cmd.capped) !== 0));
    if (images) options.changeStreamPreAndPostImages = images;
    else delete options.changeStreamPreAndPostImages;
  }
  checkValidationOptions(options, undefined);
  const effects = new Effects();
  engine.createCollection(effects, ctx.db, name, options);
  return finish(engine, effects, { ok: 1 });
};

const drop: Handler = (cmd, ctx) => {
  const name = collectionName(cmd, 'drop');
  const { engine } = ctx.server;
  const coll = engine.getCollection(ctx.db, name);
  const effects = new Effects();
  if (!coll) return { ok: 1 };
  const nIndexesWas = coll.indexes.size + 1;
  engine.dropCollection(effects, ctx.db, name);
  return finish(engine, effects, { nIndexesWas, ns: coll.ns, ok: 1 });
};

const dropDatabase: Handler = (_cmd, ctx) => {
  const { engine } = ctx.server;
  const effects = new Effects();
  engine.dropDatabase(effects, ctx.db);
  return finish(engine, effects, { dropped: ctx.db, ok: 1 });
};

const listCollections: Handler = (cmd, ctx) => {
  const pred = compileFilter(cmd.filter);
  const nameOnly = cmd.nameOnly === true;
  const docs: Doc[] = [];
  for (const coll of ctx.server.engine.collections(ctx.db)) {
    const info: Doc = nameOnly
      ? { name: coll.name, type: 'collection' }
      : {
          name: coll.name,
          type: 'collection',
          options: coll.options,
          info: { readOnly: false },
          idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
        };
    if (pred(info)) docs.push(info);
  }
  const ns = `${ctx.db}.$cmd.listCollections`;
  const batchSize = isPlainDoc(cmd.cursor) ? cmd.cursor.batchSize : undefined;
  const b = ctx.server.cursors.open(ns, docs, isNumeric(batchSize) ? toNumber(batchSize) : undefined, false);
  return cursorReply(ns, b.docs, b.id, true);
};

const listDatabases: Handler = (cmd, ctx) => {
  const pred = compileFilter(cmd.filter);
  const databases: Doc[] = [];
  let totalSize = 0;
  for (const name of ctx.server.engine.databaseNames()) {
    const colls = ctx.server.engine.collections(name);
    let size = 0;
    if (cmd.nameOnly !== true) for (const coll of colls) for (const doc of coll.docs.values()) size += calculateObjectSize(doc);
    totalSize += size;
    const info: Doc = cmd.nameOnly === true ? { name } : { name, sizeOnDisk: size, empty: colls.length === 0 };
    if (pred(info)) databases.push(info);
  }
  if (cmd.nameOnly === true) return { databases, ok: 1 };
  return { databases, totalSize, totalSizeMb: Math.floor(totalSize / 1048576), ok: 1 };
};

const INDEX_OPTIONS = ['unique', 'sparse', 'expireAfterSeconds', 'partialFilterExpression', 'collation'] as const;
const KNOWN_INDEX_OPTIONS = new Set(['v', 'key', 'name', 'background', 'ns', 'hidden', ...INDEX_OPTIONS]);

function defaultIndexName(key: Doc): string {
  return Object.entries(key)
    .map(([k, v]) => `${k}_${String(v)}`)
    .join('_');
}

/** An index spec as mongod stores it; without a collation of its own it takes the collection's. */
function buildSpec(raw: unknown, coll: Collection | undefined): IndexSpec {
  if (!isPlainDoc(raw)) throw badValue('index specification must be an object');
  normalizeIndexKey(raw.key);
  for (const key of Object.keys(raw)) {
    if (!KNOWN_INDEX_OPTIONS.has(key)) throw new MongoCommandError(67, `index option '${key}' is not supported by embedded-mongo`);
  }
  const name = typeof raw.name === 'string' && raw.name.length > 0 ? raw.name : defaultIndexName(raw.key as Doc);
  const spec: IndexSpec = { v: 2, key: raw.key as Doc, name };
  if (raw.unique === true || raw.unique === 1) spec.unique = true;
  if (raw.sparse === true || raw.sparse === 1) spec.sparse = true;
  if (raw.hidden === true) spec.hidden = true;
  const collation = raw.collation === undefined ? coll?.collation : parseCollation(raw.collation);
  if (collation) spec.collation = collation.spec;
  if (raw.expireAfterSeconds !== undefined) {
    if (!isNumeric(raw.expireAfterSeconds) || toNumber(raw.expireAfterSeconds) < 0) {
      throw new MongoCommandError(67, 'TTL index expireAfterSeconds must be a non-negative number');
    }
    if (Object.keys(raw.key as Doc).length !== 1) throw new MongoCommandError(67, 'TTL indexes are single-field indexes, compound indexes do not support TTL');
    spec.expireAfterSeconds = toNumber(raw.expireAfterSeconds);
  }
  if (raw.partialFilterExpression !== undefined) {
    if (!isPlainDoc(raw.partialFilterExpression)) throw badValue('partialFilterExpression must be an object');
    compileFilter(raw.partialFilterExpression);
    spec.partialFilterExpression = raw.partialFilterExpression;
  }
  if (spec.hidden && spec.name === '_id_') throw badValue("can't hide _id index");
  return spec;
}

function sameKey(left: Doc, right: Doc): boolean {
  const ka = Object.keys(left);
  const kb = Object.keys(right);
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && toNumber(left[k]) === toNumber(right[k]));
}

function sameOptions(left: IndexSpec, right: IndexSpec): boolean {
  return INDEX_OPTIONS.every(
    (o) =>
      sameValue(left[o] ?? undefined, right[o] ?? undefined) ||
      (o === 'expireAfterSeconds' && left[o] !== undefined && right[o] !== undefined && toNumber(left[o]) === toNumber(right[o])),
  );
}

const createIndexes: Handler = (cmd, ctx) => {
  const name = collectionName(cmd, 'createIndexes');
  if (!Array.isArray(cmd.indexes) || cmd.indexes.length === 0) throw badValue('Must specify at least one index to create');
  const { engine } = ctx.server;
  const existed = engine.getCollection(ctx.db, name);
  const specs = cmd.indexes.map((raw) => buildSpec(raw, existed));
  const effects = new Effects();
  const coll: Collection = existed ?? engine.ensureCollection(effects, ctx.db, name);
  const before = coll.indexes.size + 1;
  let created = 0;
  for (const spec of specs) {
    if (spec.name === '_id_' || sameKey(spec.key, { _id: 1 })) {
      if (spec.unique === false) throw new MongoCommandError(67, "The field 'unique' is not valid for an _id index specification");
      continue;
    }
    const byName = coll.indexes.get(spec.name);
    if (byName) {
      if (!sameKey(byName.spec.key, spec.key)) {
        throw new MongoCommandError(
          86,
          `An existing index has the same name as the requested index. When index names are not specified, they are auto generated and can cause conflicts. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(byName.spec)}`,
        );
      }
      if (!sameOptions(byName.spec, spec)) {
        throw new MongoCommandError(
          85,
          `An equivalent index already exists with the same name but different options. Requested index: ${JSON.stringify(spec)}, existing index: ${JSON.stringify(byName.spec)}`,
        );
      }
      continue;
    }
    // Same key with another collation (or partial filter) is another index, as in mongod.
    const byKey = [...coll.indexes.values()].find(
      (i) =>
        sameKey(i.spec.key, spec.key) && sameValue(i.spec.partialFilterExpression, spec.partialFilterExpression) && sameValue(i.spec.collation, spec.collation),
    );
    if (byKey) {
      throw new MongoCommandError(85, `Index already exists with a different name: ${byKey.spec.name}`);
    }
    engine.createIndex(effects, coll, spec);
    created++;
  }
  const reply: Document = {
    numIndexesBefore: before,
    numIndexesAfter: coll.indexes.size + 1,
    createdCollectionAutomatically: !existed,
  };
  if (created === 0) reply.note = 'all indexes already exist';
  reply.ok = 1;
  return finish(engine, effects, reply);
};

const listIndexes: Handler = (cmd, ctx) => {
  const name = collectionName(cmd, 'listIndexes');
  const coll = ctx.server.engine.getCollection(ctx.db, name);
  if (!coll) throw new MongoCommandError(26, `ns does not exist: ${ctx.db}.${name}`);
  const ns = `${ctx.db}.$cmd.listIndexes.${name}`;
  const batchSize = isPlainDoc(cmd.cursor) ? cmd.cursor.batchSize : undefined;
  const b = ctx.server.cursors.open(
    ns,
    coll.allIndexSpecs().map((s) => ({ ...s })),
    isNumeric(batchSize) ? toNumber(batchSize) : undefined,
    false,
  );
  return cursorReply(ns, b.docs, b.id ?? Long.ZERO, true);
};

const dropIndexes: Handler = (cmd, ctx) => {
  const name = collectionName(cmd, Object.keys(cmd)[0] ?? 'dropIndexes');
  const { engine } = ctx.server;
  const coll = engine.getCollection(ctx.db, name);
  if (!coll) throw new MongoCommandError(26, `ns not found ${ctx.db}.${name}`);
  const nIndexesWas = coll.indexes.size + 1;
  const target: unknown = cmd.index;
  let names: string[];
  if (target === '*') names = [...coll.indexes.keys()];
  else if (typeof target === 'string') names = [target];
  else if (Array.isArray(target)) names = target.map(String);
  else if (isPlainDoc(target)) {
    if (sameKey(target, { _id: 1 })) throw new MongoCommandError(72, 'cannot drop _id index');
    const found = coll.findIndex(target);
    if (!found) throw new MongoCommandError(27, `can't find index with key: ${JSON.stringify(target)}`);
    names = [found.spec.name];
  } else throw badValue('index must be a string, an array of names or a key pattern');
  for (const n of names) {
    if (n === '_id_') throw new MongoCommandError(72, 'cannot drop _id index');
    if (!coll.indexes.has(n)) throw new MongoCommandError(27, `index not found with name [${n}]`);
  }
  const effects = new Effects();
  for (const n of names) engine.dropIndex(effects, coll, n);
  return finish(engine, effects, { nIndexesWas, ok: 1 });
};

const renameCollection: Handler = (cmd, ctx) => {
  if (ctx.db !== 'admin') throw new MongoCommandError(13, 'renameCollection may only be run against the admin database.');
  if (typeof cmd.renameCollection !== 'string' || typeof cmd.to !== 'string') throw badValue('renameCollection and to must be namespaces');
  const [fromDb, fromName] = splitNs(cmd.renameCollection);
  const [toDb, toName] = splitNs(cmd.to);
  validateCollectionName(toName);
  const { engine } = ctx.server;
  const src = engine.getCollection(fromDb, fromName);
  if (!src) throw new MongoCommandError(26, `Source collection ${cmd.renameCollection} does not exist`);
  const effects = new Effects();
  if (engine.getCollection(toDb, toName)) {
    if (cmd.dropTarget !== true) throw new MongoCommandError(48, `target namespace exists`);
    engine.dropCollection(effects, toDb, toName);
  }
  // Change streams see one rename event, not the copy this is made of.
  effects.quiet = true;
  const dst = engine.createCollection(effects, toDb, toName, src.options);
  for (const idx of src.indexes.values()) engine.createIndex(effects, dst, idx.spec, false);
  for (const doc of src.docs.values()) engine.replace(effects, dst, doc);
  engine.dropCollection(effects, fromDb, fromName);
  effects.quiet = false;
  effects.record({ kind: 'rename', db: fromDb, coll: fromName, to: { db: toDb, coll: toName } });
  return finish(engine, effects, { ok: 1 });
};

export const ddlHandlers: Record<string, Handler> = {
  create,
  drop,
  dropDatabase,
  listCollections,
  listDatabases,
  createIndexes,
  listIndexes,
  dropIndexes,
  deleteIndexes: dropIndexes,
  renameCollection,
};

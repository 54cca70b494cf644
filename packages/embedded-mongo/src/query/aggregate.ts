/**
 * Aggregation: $match, $sort, $skip, $limit and $count run in-house (BSON ordering, index use
 * for a leading $match); every other supported stage runs through mingo. `$lookup` resolves
 * `from` against the same database.
 */
import { MongoCommandError } from '../errors';
import { compileFilter } from './match';
import { compileSort } from './sort';
import { runMingoPipeline } from './mingo';
import { isNumeric, isPlainDoc, toNumber } from './values';
import type { Doc } from './values';

const MINGO_STAGES = new Set([
  '$addFields',
  '$set',
  '$unset',
  '$project',
  '$group',
  '$unwind',
  '$lookup',
  '$replaceRoot',
  '$replaceWith',
  '$sortByCount',
  '$facet',
  '$bucket',
  '$bucketAuto',
  '$sample',
  '$redact',
  '$densify',
  '$fill',
  '$setWindowFields',
  '$unionWith',
  '$graphLookup',
]);
const OWN_STAGES = new Set(['$match', '$sort', '$skip', '$limit', '$count']);
const KNOWN_UNSUPPORTED = new Set([
  '$out',
  '$merge',
  '$geoNear',
  '$collStats',
  '$indexStats',
  '$currentOp',
  '$listSessions',
  '$changeStream',
  '$search',
  '$searchMeta',
  '$vectorSearch',
  '$planCacheStats',
  '$documents',
  '$listLocalSessions',
]);

export function validatePipeline(pipeline: unknown): Doc[] {
  if (!Array.isArray(pipeline)) throw new MongoCommandError(14, "'pipeline' option must be specified as an array");
  return pipeline.map((stage) => {
    if (!isPlainDoc(stage) || Object.keys(stage).length !== 1) {
      throw new MongoCommandError(40323, 'A pipeline stage specification object must contain exactly one field.');
    }
    const name = Object.keys(stage)[0] as string;
    if (KNOWN_UNSUPPORTED.has(name)) throw new MongoCommandError(115, `${name} is not supported by embedded-mongo`);
    if (!OWN_STAGES.has(name) && !MINGO_STAGES.has(name)) {
      throw new MongoCommandError(40324, `Unrecognized pipeline stage name: '${name}'`);
    }
    return stage;
  });
}

export function runPipeline(input: Doc[], pipeline: Doc[], resolve: (coll: string) => Doc[]): Doc[] {
  let docs = input;
  let pendingMingo: Doc[] = [];
  const flushMingo = (): void => {
    if (pendingMingo.length === 0) return;
    docs = runMingoPipeline(pendingMingo, docs, { collectionResolver: resolve });
    pendingMingo = [];
  };
  for (const stage of pipeline) {
    const name = Object.keys(stage)[0] as string;
    const arg: unknown = stage[name];
    if (!OWN_STAGES.has(name)) {
      pendingMingo.push(stage);
      continue;
    }
    flushMingo();
    switch (name) {
      case '$match': {
        const p = compileFilter(arg);
        docs = docs.filter(p);
        break;
      }
      case '$sort': {
        const cmp = compileSort(arg);
        if (cmp) docs = docs.slice().sort(cmp);
        break;
      }
      case '$skip':
        if (!isNumeric(arg) || toNumber(arg) < 0) throw new MongoCommandError(15956, 'the $skip stage requires a non-negative number');
        docs = docs.slice(toNumber(arg));
        break;
      case '$limit':
        if (!isNumeric(arg) || toNumber(arg) <= 0) throw new MongoCommandError(15958, 'the $limit stage requires a positive number');
        docs = docs.slice(0, toNumber(arg));
        break;
      case '$count':
        if (typeof arg !== 'string' || arg.length === 0 || arg.startsWith('$') || arg.includes('.')) {
          throw new MongoCommandError(40156, 'the count field must be a non-empty string without $ or .');
        }
        docs = docs.length > 0 ? [{ [arg]: docs.length }] : [];
        break;
      default:
        break;
    }
  }
  flushMingo();
  return docs;
}

/**
 * Aggregation: $match, $sort, $skip, $limit, $count and a constant-key `$group` of constant sums
 * (countDocuments) run in-house (BSON ordering, collation, index use for a leading $match); every other supported stage runs through mingo, with
 * server-side JavaScript disabled. `$lookup` resolves `from` against the same database.
 * `$sortByCount` is rewritten into the `$group` + `$sort` it stands for.
 */
import { MongoCommandError } from '../errors';
import type { Collation } from '../bson/collation';
import { compileFilter } from '../filter/match';
import { runMingoPipeline } from './mingo';
import { assertCollationSafe, groupUnderCollation } from './collation';
import { compileSort } from '../bson/sort';
import { isNumeric, toNumber } from '../bson/values';
import { isPlainDoc } from '../bson/paths';
import type { Doc } from '../bson/paths';

export interface PipelineOptions {
  collation?: Collation | undefined;
  /** `let` variables (`$$name`). */
  variables?: Doc | undefined;
}

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
const OWN_STAGES = new Set(['$match', '$sort', '$skip', '$limit', '$count', '$documents', '$listLocalSessions']);
/** Stages that produce documents without reading a collection (`{aggregate: 1}`); the command runs `$listLocalSessions`. */
export const COLLECTIONLESS_STAGES = new Set(['$documents', '$listLocalSessions']);
const JAVASCRIPT_OPERATORS = new Set(['$function', '$accumulator', '$where']);
const KNOWN_UNSUPPORTED = new Set([
  '$out',
  '$merge',
  '$geoNear',
  '$collStats',
  '$indexStats',
  '$currentOp',
  '$listSessions',
  '$changeStreamSplitLargeEvent',
  '$search',
  '$searchMeta',
  '$vectorSearch',
  '$planCacheStats',
  '$listSearchIndexes',
  '$shardedDataDistribution',
]);

/** A stage name the engine knows (runs it, or refuses it knowingly), as opposed to a typo. */
export function isKnownStage(name: string): boolean {
  return OWN_STAGES.has(name) || MINGO_STAGES.has(name) || KNOWN_UNSUPPORTED.has(name) || name === '$changeStream';
}

/**
 * Server-side JavaScript is off in embedded-mongo (it would run inside the engine process); this
 * names the operator instead of mingo's generic refusal.
 */
function assertNoJavaScript(value: unknown): void {
  if (Array.isArray(value)) {
    for (const e of value) assertNoJavaScript(e);
    return;
  }
  if (!isPlainDoc(value)) return;
  for (const [k, inner] of Object.entries(value)) {
    if (k === '$literal') continue;
    if (JAVASCRIPT_OPERATORS.has(k)) throw new MongoCommandError(115, `${k} is not supported by embedded-mongo: server-side JavaScript is disabled`);
    assertNoJavaScript(inner);
  }
}

export function validatePipeline(pipeline: unknown): Doc[] {
  if (!Array.isArray(pipeline)) throw new MongoCommandError(14, "'pipeline' option must be specified as an array");
  return pipeline.flatMap((stage, index) => {
    if (!isPlainDoc(stage) || Object.keys(stage).length !== 1) {
      throw new MongoCommandError(40323, 'A pipeline stage specification object must contain exactly one field.');
    }
    const name = Object.keys(stage)[0] as string;
    if (KNOWN_UNSUPPORTED.has(name)) throw new MongoCommandError(115, `${name} is not supported by embedded-mongo`);
    if (!OWN_STAGES.has(name) && !MINGO_STAGES.has(name)) {
      throw new MongoCommandError(40324, `Unrecognized pipeline stage name: '${name}'`);
    }
    if (COLLECTIONLESS_STAGES.has(name) && index > 0) throw new MongoCommandError(40602, `${name} is only valid as the first stage in a pipeline`);
    assertNoJavaScript(stage);
    if (name === '$sortByCount') {
      return [{ $group: { _id: stage.$sortByCount, count: { $sum: 1 } } }, { $sort: { count: -1 } }];
    }
    return [stage];
  });
}

/**
 * `{$group: {_id: <constant>, <field>: {$sum: <number>}, …}}`, the shape the drivers' countDocuments
 * sends: its one group, or undefined for any other `$group`. The group's key and sums do not depend on
 * the documents, so it is answered from their number (mingo would copy every document first).
 */
export function constantSums(spec: unknown): ((count: number) => Doc[]) | undefined {
  if (!isPlainDoc(spec) || !Object.hasOwn(spec, '_id')) return undefined;
  const { _id: id, ...fields } = spec;
  const isConstant = id === null || typeof id === 'number' || typeof id === 'boolean' || (typeof id === 'string' && !id.startsWith('$'));
  if (!isConstant) return undefined;
  const sums: [string, number][] = [];
  for (const [field, accumulator] of Object.entries(fields)) {
    // Whole numbers only: a sum of n equal fractions is not n times the fraction in floating point.
    if (!isPlainDoc(accumulator) || Object.keys(accumulator).length !== 1 || !Number.isSafeInteger(accumulator.$sum)) return undefined;
    sums.push([field, accumulator.$sum as number]);
  }
  // Like any $group, none over no documents.
  return (count) => (count === 0 ? [] : [{ _id: id, ...Object.fromEntries(sums.map(([field, each]) => [field, each * count])) }]);
}

export function runPipeline(input: Doc[], pipeline: Doc[], resolve: (coll: string) => Doc[], opts: PipelineOptions = {}): Doc[] {
  const { collation, variables } = opts;
  const runMingo = (stages: Doc[], docs: Doc[]): Doc[] => runMingoPipeline(stages, docs, { collectionResolver: resolve, variables });
  let docs = input;
  let pendingMingo: Doc[] = [];
  const flushMingo = (): void => {
    if (pendingMingo.length === 0) return;
    docs = runMingo(pendingMingo, docs);
    pendingMingo = [];
  };
  for (const stage of pipeline) {
    const name = Object.keys(stage)[0] as string;
    const arg: unknown = stage[name];
    const counted = name === '$group' ? constantSums(arg) : undefined;
    if (counted) {
      flushMingo();
      docs = counted(docs.length);
      continue;
    }
    if (!OWN_STAGES.has(name)) {
      if (collation) {
        assertCollationSafe(stage);
        if (name === '$group') {
          flushMingo();
          docs = groupUnderCollation(docs, stage, collation, runMingo);
          continue;
        }
      }
      pendingMingo.push(stage);
      continue;
    }
    flushMingo();
    switch (name) {
      case '$match': {
        const predicate = compileFilter(arg, { collation, variables });
        docs = docs.filter((d) => predicate(d));
        break;
      }
      case '$sort': {
        const cmp = compileSort(arg, collation);
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
      case '$documents':
        docs = runMingo([stage], []);
        if (!docs.every(isPlainDoc)) throw new MongoCommandError(5858203, 'error during $documents stage: the result must be an array of objects');
        break;
      default:
        break;
    }
  }
  flushMingo();
  return docs;
}

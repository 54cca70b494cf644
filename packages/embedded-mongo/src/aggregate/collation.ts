/**
 * Aggregation under a non-simple collation. The in-house stages ($match, $sort, ...) compare
 * strings with the collation; mingo's expression engine cannot, so a mingo stage is accepted only
 * when no string comparison inside it could depend on the collation, and `$group` keys are
 * grouped by collation class here. Anything else fails loudly instead of ignoring the collation.
 */
import { MongoCommandError } from '../errors';
import type { Collation } from '../bson/collation';
import { collatedKey } from '../bson/keys';
import { isPlainDoc } from '../bson/paths';
import type { Doc } from '../bson/paths';

/** Stages whose only collation-dependent parts are expressions (checked below) or group keys. */
const STAGES_WITHOUT_IMPLICIT_COMPARISONS = new Set([
  '$addFields',
  '$set',
  '$project',
  '$unset',
  '$replaceRoot',
  '$replaceWith',
  '$unwind',
  '$sample',
  '$group',
]);

/** Expression operators and accumulators that compare values (and so strings). */
const COMPARING_OPERATORS = new Set([
  '$eq',
  '$ne',
  '$gt',
  '$gte',
  '$lt',
  '$lte',
  '$cmp',
  '$in',
  '$indexOfArray',
  '$setEquals',
  '$setIntersection',
  '$setUnion',
  '$setDifference',
  '$setIsSubset',
  '$min',
  '$max',
  '$minN',
  '$maxN',
  '$addToSet',
  '$top',
  '$bottom',
  '$topN',
  '$bottomN',
  '$sortArray',
]);

function comparingOperatorIn(value: unknown): string | undefined {
  if (Array.isArray(value)) {
    for (const e of value) {
      const found = comparingOperatorIn(e);
      if (found) return found;
    }
    return undefined;
  }
  if (!isPlainDoc(value)) return undefined;
  for (const [k, inner] of Object.entries(value)) {
    if (k === '$literal') continue;
    if (COMPARING_OPERATORS.has(k)) return k;
    const found = comparingOperatorIn(inner);
    if (found) return found;
  }
  return undefined;
}

export function assertCollationSafe(stage: Doc): void {
  const name = Object.keys(stage)[0] as string;
  if (!STAGES_WITHOUT_IMPLICIT_COMPARISONS.has(name)) {
    throw new MongoCommandError(115, `${name} with a non-simple collation is not supported by embedded-mongo`);
  }
  const operator = comparingOperatorIn(stage[name]);
  if (operator) throw new MongoCommandError(115, `${operator} inside ${name} with a non-simple collation is not supported by embedded-mongo`);
}

type StageRunner = (stages: Doc[], docs: Doc[]) => Doc[];

/**
 * `$group` whose keys compare under `collation`: documents are partitioned by the collation class
 * of their group key, and each partition is grouped under one representative key (the first one
 * seen, as mongod returns one of the equal keys).
 */
export function groupUnderCollation(docs: Doc[], stage: Doc, collation: Collation, run: StageRunner): Doc[] {
  if (!isPlainDoc(stage.$group)) throw new MongoCommandError(15947, "a group's fields must be specified in an object");
  const { _id: keyExpr, ...accumulators } = stage.$group;
  if (keyExpr === undefined) throw new MongoCommandError(15955, 'a group specification must include an _id');
  const keys = run([{ $replaceWith: { k: keyExpr } }], docs).map((d) => d.k as unknown);
  const classOf = collation.classes();
  const partitions = new Map<string, { key: unknown; docs: Doc[] }>();
  docs.forEach((doc, index) => {
    const key = keys[index] ?? null;
    const cls = collatedKey(key, classOf);
    let p = partitions.get(cls);
    if (!p) {
      p = { key, docs: [] };
      partitions.set(cls, p);
    }
    p.docs.push(doc);
  });
  const out: Doc[] = [];
  for (const p of partitions.values()) out.push(...run([{ $group: { _id: { $literal: p.key }, ...accumulators } }], p.docs));
  return out;
}

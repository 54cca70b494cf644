/** Sorting by a MongoDB sort spec, using BSON type order (see values.ts). */
import { badValue } from '../errors';
import type { Collation } from './collation';
import { compareValues } from './compare';
import { isNumeric, toNumber } from './values';
import { isPlainDoc, pathValues, splitPath } from './paths';
import type { Doc } from './paths';
import type { StringComparator } from './compare';

function sortKey(doc: Doc, parts: readonly string[], dir: number, strCmp: StringComparator | undefined): unknown {
  const vals: unknown[] = [];
  for (const value of pathValues(doc, parts)) {
    if (Array.isArray(value)) {
      if (value.length === 0) vals.push(undefined);
      else vals.push(...value);
    } else vals.push(value);
  }
  if (vals.length === 0) return null;
  let best = vals[0];
  for (const value of vals) {
    const c = compareValues(value, best, strCmp);
    if (dir > 0 ? c < 0 : c > 0) best = value;
  }
  return best;
}

export type Comparator = (a: Doc, b: Doc) => number;

/** Strings compare with `collation` when one applies. */
export function compileSort(spec: unknown, collation?: Collation): Comparator | undefined {
  if (spec === undefined || spec === null) return undefined;
  if (!isPlainDoc(spec)) throw badValue('sort must be an object');
  const fields: { parts: string[]; dir: number }[] = [];
  for (const [k, d] of Object.entries(spec)) {
    if (isPlainDoc(d) && Object.hasOwn(d, '$meta')) throw badValue(`$meta sort is not supported by embedded-mongo (field ${k})`);
    if (!isNumeric(d) || (toNumber(d) !== 1 && toNumber(d) !== -1)) throw badValue(`Invalid sort value for ${k}: must be 1 or -1`);
    fields.push({ parts: splitPath(k), dir: toNumber(d) });
  }
  if (fields.length === 0) return undefined;
  const strCmp = collation?.compare;
  return (left, right) => {
    for (const f of fields) {
      const c = compareValues(sortKey(left, f.parts, f.dir, strCmp), sortKey(right, f.parts, f.dir, strCmp), strCmp);
      if (c !== 0) return c * f.dir;
    }
    return 0;
  };
}

/** Sorts with precomputed keys (stable). */
export function sortDocs(docs: Doc[], spec: unknown, collation?: Collation): Doc[] {
  const cmp = compileSort(spec, collation);
  if (!cmp) return docs;
  return docs.slice().sort(cmp);
}

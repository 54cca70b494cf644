/** Sorting by a MongoDB sort spec, using BSON type order (see values.ts). */
import { badValue } from '../errors';
import { compareValues, isNumeric, isPlainDoc, pathValues, splitPath, toNumber } from './values';
import type { Doc } from './values';

function sortKey(doc: Doc, parts: readonly string[], dir: number): unknown {
  const vals: unknown[] = [];
  for (const v of pathValues(doc, parts)) {
    if (Array.isArray(v)) {
      if (v.length === 0) vals.push(undefined);
      else vals.push(...v);
    } else vals.push(v);
  }
  if (vals.length === 0) return null;
  let best = vals[0];
  for (const v of vals) {
    const c = compareValues(v, best);
    if (dir > 0 ? c < 0 : c > 0) best = v;
  }
  return best;
}

export type Comparator = (a: Doc, b: Doc) => number;

export function compileSort(spec: unknown): Comparator | undefined {
  if (spec === undefined || spec === null) return undefined;
  if (!isPlainDoc(spec)) throw badValue('sort must be an object');
  const fields: { parts: string[]; dir: number }[] = [];
  for (const [k, d] of Object.entries(spec)) {
    if (isPlainDoc(d) && Object.hasOwn(d, '$meta')) throw badValue(`$meta sort is not supported by embedded-mongo (field ${k})`);
    if (!isNumeric(d) || (toNumber(d) !== 1 && toNumber(d) !== -1)) throw badValue(`Invalid sort value for ${k}: must be 1 or -1`);
    fields.push({ parts: splitPath(k), dir: toNumber(d) });
  }
  if (fields.length === 0) return undefined;
  return (a, b) => {
    for (const f of fields) {
      const c = compareValues(sortKey(a, f.parts, f.dir), sortKey(b, f.parts, f.dir));
      if (c !== 0) return c * f.dir;
    }
    return 0;
  };
}

/** Sorts with precomputed keys (stable). */
export function sortDocs(docs: Doc[], spec: unknown): Doc[] {
  const cmp = compileSort(spec);
  if (!cmp) return docs;
  return docs.slice().sort(cmp);
}

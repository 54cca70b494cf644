/**
 * Update paths with array placeholders: the positional `$` (the array element the query
 * matched), `$[]` (every element) and `$[<identifier>]` (the elements an `arrayFilters` entry
 * matches). Parses and checks them as mongod does (array filter syntax, unused or unknown
 * identifiers, conflicting paths), then expands each path into the concrete paths it designates
 * in one document. Field names are walked through the own-property helpers in ./paths.
 */
import { MongoCommandError, badValue } from '../errors';
import { describeValue } from '../bson/values';
import { compileFilter } from '../filter/match';
import type { MatchOptions, Predicate } from '../filter/match';
import { getElement, getField, isPlainDoc } from '../bson/paths';
import type { Doc } from '../bson/paths';

/** An array filter, applied to one array element. */
type ElementTest = (element: unknown) => boolean;

const ARRAY_FILTER_TOKEN = /^\$\[(.*)\]$/;
const IDENTIFIER = /^[a-z][a-zA-Z0-9]*$/;

/** `$[]` → '', `$[x]` → 'x'; undefined for any other segment. */
export function arrayUpdateIdentifier(segment: string): string | undefined {
  const m = ARRAY_FILTER_TOKEN.exec(segment);
  return m ? (m[1] as string) : undefined;
}

/** True when a path holds a placeholder that depends on the document (`$`, `$[]`, `$[x]`). */
export function isDynamicPath(parts: readonly string[]): boolean {
  return parts.some((p) => p === '$' || arrayUpdateIdentifier(p) !== undefined);
}

/** The top-level field names of a filter, looking through `$and` / `$or` / `$nor`. */
function topLevelNames(filter: Doc, out: Set<string>): Set<string> {
  for (const key of Object.keys(filter)) {
    const value: unknown = filter[key];
    if ((key === '$and' || key === '$or' || key === '$nor') && Array.isArray(value)) {
      for (const sub of value) if (isPlainDoc(sub)) topLevelNames(sub, out);
    } else if (!key.startsWith('$')) {
      out.add(key.split('.')[0] as string);
    }
  }
  return out;
}

/**
 * Parses `arrayFilters`: each entry names exactly one identifier (its top-level field), which
 * the element is bound to when the filter runs (`{'i.b': 0}` tests `{i: element}`).
 */
export function parseArrayFilters(raw: unknown, match: MatchOptions): Map<string, ElementTest> {
  const out = new Map<string, ElementTest>();
  if (raw === undefined || raw === null) return out;
  if (!Array.isArray(raw)) throw new MongoCommandError(14, "BSON field 'arrayFilters' is the wrong type, expected type 'array'");
  for (const f of raw) {
    if (!isPlainDoc(f)) throw new MongoCommandError(14, "BSON field 'arrayFilters' must be an array of objects");
    const names = [...topLevelNames(f, new Set())];
    if (names.length === 0)
      throw new MongoCommandError(9, 'Error parsing array filter :: caused by :: Cannot use an expression without a top-level field name in arrayFilters');
    if (names.length > 1) {
      throw new MongoCommandError(
        9,
        `Error parsing array filter :: caused by :: Expected a single top-level field name, found '${names[0] ?? ''}' and '${names[1] ?? ''}'`,
      );
    }
    const id = names[0] as string;
    if (!IDENTIFIER.test(id)) {
      throw badValue(
        `Error parsing array filter :: caused by :: The top-level field name must be an alphanumeric string beginning with a lowercase letter, found '${id}'`,
      );
    }
    if (out.has(id)) throw new MongoCommandError(9, `Found multiple array filters with the same top-level field name ${id}`);
    const pred: Predicate = compileFilter(f, match);
    out.set(id, (element) => {
      const bound: Doc = {};
      // The identifier is a lowercase alphanumeric name, so plain assignment is safe here.
      bound[id] = element;
      return pred(bound);
    });
  }
  return out;
}

/** Checks one update path: no empty field names, at most one `$` and never first, known identifiers. */
export function checkUpdatePath(path: string, parts: readonly string[], filters: Map<string, ElementTest>, used: Set<string>): void {
  if (path.length === 0) throw new MongoCommandError(56, 'An empty update path is not valid.');
  if (parts.some((p) => p.length === 0)) throw new MongoCommandError(56, `An update path '${path}' contains an empty field name, which is not allowed.`);
  const dollars = parts.filter((p) => p === '$').length;
  if (dollars > 1) throw badValue(`Too many positional (i.e. '$') elements found in path '${path}'`);
  if (parts[0] === '$') throw badValue(`Cannot have positional (i.e. '$') element in the first position in path '${path}'`);
  for (const p of parts) {
    const id = arrayUpdateIdentifier(p);
    if (id === undefined || id === '') continue;
    if (!filters.has(id)) throw badValue(`No array filter found for identifier '${id}' in path '${path}'`);
    used.add(id);
  }
}

/**
 * Where two update paths would collide, or undefined: one is a prefix of the other, or an array
 * placeholder (`$[]`, `$[x]`) meets `$`, an index or a field name at the same level. Different
 * placeholders at the same level only collide if they pick the same element (checked when the
 * update is applied).
 */
export function pathConflict(left: readonly string[], right: readonly string[]): string | undefined {
  const n = Math.min(left.length, right.length);
  for (let i = 0; i < n; i++) {
    if (left[i] === right[i]) continue;
    const aArray = arrayUpdateIdentifier(left[i] as string) !== undefined;
    const bArray = arrayUpdateIdentifier(right[i] as string) !== undefined;
    return aArray !== bArray ? left.slice(0, i).join('.') : undefined;
  }
  return (left.length <= right.length ? left : right).join('.');
}

export interface Expansion {
  /** Array position the query matched, for `$`. */
  position: number | undefined;
  filters: Map<string, ElementTest>;
}

/** The concrete paths (no placeholders left) that `parts` designates in `doc`. */
export function expandPath(doc: Doc, parts: readonly string[], expansion: Expansion): string[][] {
  const out: string[][] = [];
  const walk = (value: unknown, index: number, prefix: string[]): void => {
    if (index === parts.length) {
      out.push(prefix);
      return;
    }
    let seg = parts[index] as string;
    if (seg === '$') {
      if (expansion.position === undefined) throw badValue('The positional operator did not find the match needed from the query.');
      seg = String(expansion.position);
    }
    const id = arrayUpdateIdentifier(seg);
    if (id !== undefined) {
      const at = prefix.join('.');
      if (value === undefined || value === null) throw badValue(`The path '${at}' must exist in the document in order to apply array updates.`);
      if (!Array.isArray(value)) throw badValue(`Cannot apply array updates to non-array element ${prefix[prefix.length - 1] ?? ''}: ${describeValue(value)}`);
      const test = id === '' ? undefined : expansion.filters.get(id);
      value.forEach((element: unknown, position) => {
        if (!test || test(element)) walk(element, index + 1, [...prefix, String(position)]);
      });
      return;
    }
    const next = Array.isArray(value) ? getElement(value, seg) : isPlainDoc(value) ? getField(value, seg) : undefined;
    walk(next, index + 1, [...prefix, seg]);
  };
  walk(doc, 0, []);
  return out;
}

/**
 * The order mongod (5.0+) applies an update's fields in: field names lexicographically, numeric
 * names (array indexes) numerically. It decides where new fields appear in the document.
 */
export function comparePaths(left: readonly string[], right: readonly string[]): number {
  const n = Math.min(left.length, right.length);
  for (let i = 0; i < n; i++) {
    const x = left[i] as string;
    const y = right[i] as string;
    if (x === y) continue;
    if (/^\d+$/.test(x) && /^\d+$/.test(y)) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return left.length - right.length;
}

/**
 * MongoDB's ordering and equality of BSON values: the cross-type order (what sorts first), numbers
 * compared numerically across int/long/double/decimal, strings binary or under a collation.
 */
import { Long } from 'bson';
import { canonicalKey } from './keys';
import { isPlainDoc } from './paths';
import type { Doc } from './paths';
import { binaryBytes, bsonType, toNumber } from './values';

/** MongoDB's comparison/sort order of BSON types (lower sorts first). */
export function typeRank(v: unknown): number {
  if (v === undefined || v === null) return 2;
  if (typeof v === 'number' || typeof v === 'bigint') return 3;
  if (typeof v === 'string') return 4;
  if (typeof v === 'boolean') return 9;
  if (v instanceof Date) return 10;
  if (v instanceof RegExp) return 12;
  if (Array.isArray(v)) return 6;
  switch (bsonType(v)) {
    case 'MinKey':
      return 1;
    case 'Long':
    case 'Decimal128':
    case 'Int32':
    case 'Double':
      return 3;
    case 'BSONSymbol':
      return 4;
    case 'Binary':
      return 7;
    case 'ObjectId':
      return 8;
    case 'Timestamp':
      return 11;
    case 'BSONRegExp':
      return 12;
    case 'Code':
      return 12.5;
    case 'MaxKey':
      return 13;
    case 'DBRef':
      return 5;
    default:
      break;
  }
  if (ArrayBuffer.isView(v)) return 7;
  return 5; // embedded document
}

function cmpPrim(a: number | string | bigint, b: number | string | bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareNumbers(a: unknown, b: unknown): number {
  if (bsonType(a) === 'Long' && bsonType(b) === 'Long') return (a as Long).compare(b as Long);
  const x = toNumber(a);
  const y = toNumber(b);
  if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : -1; // NaN sorts before all numbers
  if (Number.isNaN(y)) return 1;
  return cmpPrim(x, y);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return cmpPrim(a.length, b.length);
}

/** How strings compare: binary by default, or a collation's comparator. */
export type StringComparator = (a: string, b: string) => number;

/**
 * Total order over BSON values, as MongoDB compares them (sort order, range operators). Strings,
 * also inside arrays and embedded documents, compare with `strCmp` when a collation applies;
 * field names always compare binary.
 */
export function compareValues(a: unknown, b: unknown, strCmp?: StringComparator): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 1:
    case 2:
    case 13:
      return 0;
    case 3:
      return compareNumbers(a, b);
    case 4:
      return strCmp ? Math.sign(strCmp(String(a), String(b))) : cmpPrim(String(a), String(b));
    case 9:
      return cmpPrim(a ? 1 : 0, b ? 1 : 0);
    case 10:
      return cmpPrim((a as Date).getTime(), (b as Date).getTime());
    case 6: {
      const x = a as unknown[];
      const y = b as unknown[];
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = compareValues(x[i], y[i], strCmp);
        if (c !== 0) return c;
      }
      return cmpPrim(x.length, y.length);
    }
    case 7: {
      const x = binaryBytes(a);
      const y = binaryBytes(b);
      if (x.length !== y.length) return x.length < y.length ? -1 : 1;
      const sa = (a as { sub_type?: number }).sub_type ?? 0;
      const sb = (b as { sub_type?: number }).sub_type ?? 0;
      if (sa !== sb) return sa < sb ? -1 : 1;
      return compareBytes(x, y);
    }
    case 8:
      return compareBytes(binaryBytes(a), binaryBytes(b));
    case 11: {
      const x = a as Long;
      const y = b as Long;
      return Long.fromBits(x.low, x.high, true).compare(Long.fromBits(y.low, y.high, true));
    }
    case 12:
    case 12.5:
      return cmpPrim(String(a), String(b));
    case 5: {
      const x = a as Doc;
      const y = b as Doc;
      const kx = Object.keys(x);
      const ky = Object.keys(y);
      const n = Math.min(kx.length, ky.length);
      for (let i = 0; i < n; i++) {
        const ka = kx[i] as string;
        const kb = ky[i] as string;
        const vr = cmpPrim(typeRank(x[ka]), typeRank(y[kb]));
        if (vr !== 0) return vr;
        const kc = cmpPrim(ka, kb);
        if (kc !== 0) return kc;
        const vc = compareValues(x[ka], y[kb], strCmp);
        if (vc !== 0) return vc;
      }
      return cmpPrim(kx.length, ky.length);
    }
    default:
      return 0;
  }
}

/** Equality as the query language sees it (1 == 1.0 == Long(1); documents field-ordered). */
export function valuesEqual(a: unknown, b: unknown, strCmp?: StringComparator): boolean {
  if (a === b) return true;
  return typeRank(a) === typeRank(b) && compareValues(a, b, strCmp) === 0;
}

/** Strict structural equality (types matter: 1 and Long(1) differ). Used for nModified. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b) return false;
  if (typeof a === 'number') return Number.isNaN(a) && Number.isNaN(b);
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((e, i) => sameValue(e, b[i]));
  }
  if (a instanceof Date) return b instanceof Date && a.getTime() === b.getTime();
  if (isPlainDoc(a)) {
    if (!isPlainDoc(b)) return false;
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    return ka.every((k, i) => k === kb[i] && sameValue(a[k], b[k]));
  }
  return bsonType(a) === bsonType(b) && canonicalKey(a) === canonicalKey(b);
}

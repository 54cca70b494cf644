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
export function typeRank(value: unknown): number {
  if (value === undefined || value === null) return 2;
  if (typeof value === 'number' || typeof value === 'bigint') return 3;
  if (typeof value === 'string') return 4;
  if (typeof value === 'boolean') return 9;
  if (value instanceof Date) return 10;
  if (value instanceof RegExp) return 12;
  if (Array.isArray(value)) return 6;
  switch (bsonType(value)) {
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
  if (ArrayBuffer.isView(value)) return 7;
  return 5; // embedded document
}

function cmpPrim(left: number | string | bigint, right: number | string | bigint): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

function compareNumbers(left: unknown, right: unknown): number {
  if (bsonType(left) === 'Long' && bsonType(right) === 'Long') return (left as Long).compare(right as Long);
  const x = toNumber(left);
  const y = toNumber(right);
  if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : -1; // NaN sorts before all numbers
  if (Number.isNaN(y)) return 1;
  return cmpPrim(x, y);
}

function compareBytes(left: Uint8Array, right: Uint8Array): number {
  const n = Math.min(left.length, right.length);
  for (let i = 0; i < n; i++) {
    const d = (left[i] ?? 0) - (right[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return cmpPrim(left.length, right.length);
}

/** How strings compare: binary by default, or a collation's comparator. */
export type StringComparator = (a: string, b: string) => number;

/**
 * Total order over BSON values, as MongoDB compares them (sort order, range operators). Strings,
 * also inside arrays and embedded documents, compare with `strCmp` when a collation applies;
 * field names always compare binary.
 */
export function compareValues(left: unknown, right: unknown, strCmp?: StringComparator): number {
  const ra = typeRank(left);
  const rb = typeRank(right);
  if (ra !== rb) return ra < rb ? -1 : 1;
  switch (ra) {
    case 1:
    case 2:
    case 13:
      return 0;
    case 3:
      return compareNumbers(left, right);
    case 4:
      return strCmp ? Math.sign(strCmp(String(left), String(right))) : cmpPrim(String(left), String(right));
    case 9:
      return cmpPrim(left ? 1 : 0, right ? 1 : 0);
    case 10:
      return cmpPrim((left as Date).getTime(), (right as Date).getTime());
    case 6: {
      const x = left as unknown[];
      const y = right as unknown[];
      const n = Math.min(x.length, y.length);
      for (let i = 0; i < n; i++) {
        const c = compareValues(x[i], y[i], strCmp);
        if (c !== 0) return c;
      }
      return cmpPrim(x.length, y.length);
    }
    case 7: {
      const x = binaryBytes(left);
      const y = binaryBytes(right);
      if (x.length !== y.length) return x.length < y.length ? -1 : 1;
      const sa = (left as { sub_type?: number }).sub_type ?? 0;
      const sb = (right as { sub_type?: number }).sub_type ?? 0;
      if (sa !== sb) return sa < sb ? -1 : 1;
      return compareBytes(x, y);
    }
    case 8:
      return compareBytes(binaryBytes(left), binaryBytes(right));
    case 11: {
      const x = left as Long;
      const y = right as Long;
      return Long.fromBits(x.low, x.high, true).compare(Long.fromBits(y.low, y.high, true));
    }
    case 12:
    case 12.5:
      return cmpPrim(String(left), String(right));
    case 5: {
      const x = left as Doc;
      const y = right as Doc;
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
export function valuesEqual(left: unknown, right: unknown, strCmp?: StringComparator): boolean {
  if (left === right) return true;
  return typeRank(left) === typeRank(right) && compareValues(left, right, strCmp) === 0;
}

/** Strict structural equality (types matter: 1 and Long(1) differ). Used for nModified. */
export function sameValue(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (typeof left !== typeof right) return false;
  if (typeof left === 'number') return Number.isNaN(left) && Number.isNaN(right);
  if (Array.isArray(left)) {
    if (!Array.isArray(right) || left.length !== right.length) return false;
    return left.every((e, i) => sameValue(e, right[i]));
  }
  if (left instanceof Date) return right instanceof Date && left.getTime() === right.getTime();
  if (isPlainDoc(left)) {
    if (!isPlainDoc(right)) return false;
    const ka = Object.keys(left);
    const kb = Object.keys(right);
    if (ka.length !== kb.length) return false;
    return ka.every((k, i) => k === kb[i] && sameValue(left[k], right[k]));
  }
  return bsonType(left) === bsonType(right) && canonicalKey(left) === canonicalKey(right);
}

/**
 * BSON value helpers: MongoDB's cross-type ordering, equality, canonical keys (used by the
 * `_id` map and by indexes), path access and copy-on-write cloning.
 *
 * Stored documents are what `bson.deserialize(..., { promoteLongs: false })` yields: int32 and
 * double become JS numbers, int64 stays `Long`, and ObjectId/Date/Decimal128/Binary/Timestamp
 * keep their classes. Everything here understands that representation.
 */
import { Long } from 'bson';
import type { Decimal128 } from 'bson';
import { isPlainDoc, setField } from './paths';
import type { Doc } from './paths';

export type { Doc } from './paths';
export { getPath, isPlainDoc, pathValues, splitPath } from './paths';

interface BsonTagged {
  _bsontype: string;
}

export function bsonType(v: unknown): string | undefined {
  // A document may have a field called `_bsontype`; only class instances are BSON values.
  if (typeof v === 'object' && v !== null && !isPlainDoc(v) && '_bsontype' in v) {
    const t = (v as BsonTagged)._bsontype;
    return typeof t === 'string' ? t : undefined;
  }
  return undefined;
}

export function isNumeric(v: unknown): boolean {
  if (typeof v === 'number' || typeof v === 'bigint') return true;
  const t = bsonType(v);
  return t === 'Long' || t === 'Decimal128' || t === 'Int32' || t === 'Double';
}

export function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  const t = bsonType(v);
  if (t === 'Long') return (v as Long).toNumber();
  if (t === 'Decimal128') return Number((v as Decimal128).toString());
  if (t === 'Int32' || t === 'Double') return (v as { value: number }).value;
  return NaN;
}

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

function bytesOf(v: unknown): Uint8Array {
  const t = bsonType(v);
  if (t === 'Binary') return (v as { buffer: Uint8Array }).buffer;
  if (t === 'ObjectId') return (v as { id: Uint8Array }).id;
  if (ArrayBuffer.isView(v)) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  return new Uint8Array();
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
      const x = bytesOf(a);
      const y = bytesOf(b);
      if (x.length !== y.length) return x.length < y.length ? -1 : 1;
      const sa = (a as { sub_type?: number }).sub_type ?? 0;
      const sb = (b as { sub_type?: number }).sub_type ?? 0;
      if (sa !== sb) return sa < sb ? -1 : 1;
      return compareBytes(x, y);
    }
    case 8:
      return compareBytes(bytesOf(a), bytesOf(b));
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

function numberKey(v: unknown): string {
  if (bsonType(v) === 'Long') {
    const l = v as Long;
    const n = l.toNumber();
    return Number.isSafeInteger(n) ? 'n' + String(n) : 'n' + l.toString();
  }
  if (bsonType(v) === 'Decimal128') {
    const s = (v as Decimal128).toString();
    const n = Number(s);
    return Number.isFinite(n) && String(n) === s ? 'n' + String(n) : 'N' + s;
  }
  const n = toNumber(v);
  return 'n' + (Object.is(n, -0) ? '0' : String(n));
}

/**
 * A canonical string for a value: two values get the same key exactly when MongoDB considers
 * them equal (numbers compare numerically across int/long/double). Used for the `_id` map and
 * index keys.
 */
export function canonicalKey(v: unknown): string {
  return keyOf(v, undefined);
}

/**
 * The canonical key under a collation: `stringKey` maps each string (also nested in arrays and
 * documents) to its collation class, so strings the collation calls equal share a key.
 */
export function collatedKey(v: unknown, stringKey: (s: string) => string): string {
  return keyOf(v, stringKey);
}

function keyOf(v: unknown, stringKey: ((s: string) => string) | undefined): string {
  if (v === undefined || v === null) return 'z';
  switch (typeof v) {
    case 'string':
      return stringKey ? stringKey(v) : 's' + JSON.stringify(v);
    case 'number':
      return 'n' + (Object.is(v, -0) ? '0' : String(v));
    case 'boolean':
      return v ? 'T' : 'F';
    case 'bigint':
      return numberKey(Long.fromBigInt(v));
    default:
      break;
  }
  if (v instanceof Date) return 't' + String(v.getTime());
  if (v instanceof RegExp) return 'r' + JSON.stringify(v.source) + '/' + v.flags;
  if (Array.isArray(v)) return '[' + v.map((e: unknown) => keyOf(e, stringKey)).join(',') + ']';
  const t = bsonType(v);
  switch (t) {
    case 'ObjectId':
      return 'o' + (v as { toHexString(): string }).toHexString();
    case 'Long':
    case 'Decimal128':
    case 'Int32':
    case 'Double':
      return numberKey(v);
    case 'Binary':
      return 'x' + String((v as { sub_type: number }).sub_type) + ':' + Buffer.from(bytesOf(v)).toString('base64');
    case 'Timestamp':
      return 'p' + (v as Long).toString();
    case 'MinKey':
      return '<';
    case 'MaxKey':
      return '>';
    case 'BSONSymbol':
      return stringKey ? stringKey(String(v)) : 's' + JSON.stringify(String(v));
    case undefined:
      break;
    default:
      return t + ':' + JSON.stringify(String(v));
  }
  const d = v as Doc;
  let out = '{';
  for (const k of Object.keys(d)) out += JSON.stringify(k) + ':' + keyOf(d[k], stringKey) + ',';
  return out + '}';
}

/** Deep copy of plain documents/arrays/Dates; BSON value objects are immutable and shared. */
export function cloneValue<T>(v: T): T {
  if (Array.isArray(v)) return v.map((e: unknown) => cloneValue(e)) as T;
  if (v instanceof Date) return new Date(v.getTime()) as T;
  if (isPlainDoc(v)) {
    const out: Doc = {};
    for (const k of Object.keys(v)) setField(out, k, cloneValue(v[k]));
    return out as T;
  }
  return v;
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

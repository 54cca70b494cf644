/**
 * Canonical keys: a string per value such that two values get the same key exactly when MongoDB
 * considers them equal. The `_id` map and every index are keyed by them.
 */
import { Long } from 'bson';
import type { Decimal128 } from 'bson';
import type { Doc } from './paths';
import { binaryBytes, bsonType, toNumber } from './values';

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
      return 'x' + String((v as { sub_type: number }).sub_type) + ':' + Buffer.from(binaryBytes(v)).toString('base64');
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

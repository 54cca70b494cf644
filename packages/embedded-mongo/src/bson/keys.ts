/**
 * Canonical keys: a string per value such that two values get the same key exactly when MongoDB
 * considers them equal. The `_id` map and every index are keyed by them.
 */
import { Long } from 'bson';
import type { Decimal128 } from 'bson';
import type { Doc } from './paths';
import { binaryBytes, bsonType, toNumber } from './values';

function numberKey(value: unknown): string {
  if (bsonType(value) === 'Long') {
    const l = value as Long;
    const n = l.toNumber();
    return Number.isSafeInteger(n) ? 'n' + String(n) : 'n' + l.toString();
  }
  if (bsonType(value) === 'Decimal128') {
    const s = (value as Decimal128).toString();
    const n = Number(s);
    return Number.isFinite(n) && String(n) === s ? 'n' + String(n) : 'N' + s;
  }
  const n = toNumber(value);
  return 'n' + (Object.is(n, -0) ? '0' : String(n));
}

/**
 * A canonical string for a value: two values get the same key exactly when MongoDB considers
 * them equal (numbers compare numerically across int/long/double). Used for the `_id` map and
 * index keys.
 */
export function canonicalKey(value: unknown): string {
  return keyOf(value, undefined);
}

/**
 * The canonical key under a collation: `stringKey` maps each string (also nested in arrays and
 * documents) to its collation class, so strings the collation calls equal share a key.
 */
export function collatedKey(value: unknown, stringKey: (s: string) => string): string {
  return keyOf(value, stringKey);
}

function keyOf(value: unknown, stringKey: ((s: string) => string) | undefined): string {
  if (value === undefined || value === null) return 'z';
  switch (typeof value) {
    case 'string':
      return stringKey ? stringKey(value) : 's' + JSON.stringify(value);
    case 'number':
      return 'n' + (Object.is(value, -0) ? '0' : String(value));
    case 'boolean':
      return value ? 'T' : 'F';
    case 'bigint':
      return numberKey(Long.fromBigInt(value));
    default:
      break;
  }
  if (value instanceof Date) return 't' + String(value.getTime());
  if (value instanceof RegExp) return 'r' + JSON.stringify(value.source) + '/' + value.flags;
  if (Array.isArray(value)) return '[' + value.map((e: unknown) => keyOf(e, stringKey)).join(',') + ']';
  const type = bsonType(value);
  switch (type) {
    case 'ObjectId':
      return 'o' + (value as { toHexString(): string }).toHexString();
    case 'Long':
    case 'Decimal128':
    case 'Int32':
    case 'Double':
      return numberKey(value);
    case 'Binary':
      return 'x' + String((value as { sub_type: number }).sub_type) + ':' + Buffer.from(binaryBytes(value)).toString('base64');
    case 'Timestamp':
      return 'p' + (value as Long).toString();
    case 'MinKey':
      return '<';
    case 'MaxKey':
      return '>';
    case 'BSONSymbol':
      return stringKey ? stringKey(String(value)) : 's' + JSON.stringify(String(value));
    case undefined:
      break;
    default:
      return type + ':' + JSON.stringify(String(value));
  }
  const doc = value as Doc;
  let out = '{';
  for (const key of Object.keys(doc)) out += JSON.stringify(key) + ':' + keyOf(doc[key], stringKey) + ',';
  return out + '}';
}

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

function comparePrimitives(left: number | string | bigint, right: number | string | bigint): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

function compareNumbers(left: unknown, right: unknown): number {
  if (bsonType(left) === 'Long' && bsonType(right) === 'Long') return (left as Long).compare(right as Long);
  const leftNumber = toNumber(left);
  const rightNumber = toNumber(right);
  if (Number.isNaN(leftNumber)) return Number.isNaN(rightNumber) ? 0 : -1; // NaN sorts before all numbers
  if (Number.isNaN(rightNumber)) return 1;
  return comparePrimitives(leftNumber, rightNumber);
}

function compareBytes(left: Uint8Array, right: Uint8Array): number {
  const common = Math.min(left.length, right.length);
  for (let i = 0; i < common; i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return difference < 0 ? -1 : 1;
  }
  return comparePrimitives(left.length, right.length);
}

function compareArrays(left: unknown[], right: unknown[], strCmp: StringComparator | undefined): number {
  const common = Math.min(left.length, right.length);
  for (let i = 0; i < common; i++) {
    const order = compareValues(left[i], right[i], strCmp);
    if (order !== 0) return order;
  }
  return comparePrimitives(left.length, right.length);
}

/** Field by field: each field's value type, then its name, then its value. */
function compareDocuments(left: Doc, right: Doc, strCmp: StringComparator | undefined): number {
  const leftKeys = Object.keys(left);
  const rightKeys = Object.keys(right);
  const common = Math.min(leftKeys.length, rightKeys.length);
  for (let i = 0; i < common; i++) {
    const leftKey = leftKeys[i] as string;
    const rightKey = rightKeys[i] as string;
    const byType = comparePrimitives(typeRank(left[leftKey]), typeRank(right[rightKey]));
    if (byType !== 0) return byType;
    const byName = comparePrimitives(leftKey, rightKey);
    if (byName !== 0) return byName;
    const byValue = compareValues(left[leftKey], right[rightKey], strCmp);
    if (byValue !== 0) return byValue;
  }
  return comparePrimitives(leftKeys.length, rightKeys.length);
}

/** Binary data: by length, then subtype, then bytes. */
function compareBinaries(left: unknown, right: unknown): number {
  const leftBytes = binaryBytes(left);
  const rightBytes = binaryBytes(right);
  if (leftBytes.length !== rightBytes.length) return leftBytes.length < rightBytes.length ? -1 : 1;
  const leftSubtype = (left as { sub_type?: number }).sub_type ?? 0;
  const rightSubtype = (right as { sub_type?: number }).sub_type ?? 0;
  if (leftSubtype !== rightSubtype) return leftSubtype < rightSubtype ? -1 : 1;
  return compareBytes(leftBytes, rightBytes);
}

/** How strings compare: binary by default, or a collation's comparator. */
export type StringComparator = (a: string, b: string) => number;

/**
 * Total order over BSON values, as MongoDB compares them (sort order, range operators). Strings,
 * also inside arrays and embedded documents, compare with `strCmp` when a collation applies;
 * field names always compare binary.
 */
export function compareValues(left: unknown, right: unknown, strCmp?: StringComparator): number {
  const leftRank = typeRank(left);
  const rightRank = typeRank(right);
  if (leftRank !== rightRank) return leftRank < rightRank ? -1 : 1;
  switch (leftRank) {
    case 1:
    case 2:
    case 13:
      return 0;
    case 3:
      return compareNumbers(left, right);
    case 4:
      return strCmp ? Math.sign(strCmp(String(left), String(right))) : comparePrimitives(String(left), String(right));
    case 9:
      return comparePrimitives(left ? 1 : 0, right ? 1 : 0);
    case 10:
      return comparePrimitives((left as Date).getTime(), (right as Date).getTime());
    case 6:
      return compareArrays(left as unknown[], right as unknown[], strCmp);
    case 7:
      return compareBinaries(left, right);
    case 8:
      return compareBytes(binaryBytes(left), binaryBytes(right));
    case 11: {
      // Timestamps compare as unsigned 64-bit integers.
      const leftTime = left as Long;
      const rightTime = right as Long;
      return Long.fromBits(leftTime.low, leftTime.high, true).compare(Long.fromBits(rightTime.low, rightTime.high, true));
    }
    case 12:
    case 12.5:
      return comparePrimitives(String(left), String(right));
    case 5:
      return compareDocuments(left as Doc, right as Doc, strCmp);
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

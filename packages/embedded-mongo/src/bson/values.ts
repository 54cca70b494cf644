/**
 * BSON value helpers: what type a value is, numbers, copy-on-write cloning, strict equality, and
 * how a value is shown in an error message. Ordering and query equality are in ./compare,
 * canonical keys in ./keys, field and path access in ./paths.
 *
 * Stored documents are what `bson.deserialize(..., { promoteLongs: false })` yields: int32 and
 * double become JS numbers, int64 stays `Long`, and ObjectId/Date/Decimal128/Binary/Timestamp
 * keep their classes. Everything here understands that representation.
 */
import type { Decimal128, Long } from 'bson';
import { isPlainDoc, setField } from './paths';
import type { Doc } from './paths';

interface BsonTagged {
  _bsontype: string;
}

export function bsonType(value: unknown): string | undefined {
  // A document may have a field called `_bsontype`; only class instances are BSON values.
  if (typeof value === 'object' && value !== null && !isPlainDoc(value) && '_bsontype' in value) {
    const type = (value as BsonTagged)._bsontype;
    return typeof type === 'string' ? type : undefined;
  }
  return undefined;
}

export function isNumeric(value: unknown): boolean {
  if (typeof value === 'number' || typeof value === 'bigint') return true;
  const type = bsonType(value);
  return type === 'Long' || type === 'Decimal128' || type === 'Int32' || type === 'Double';
}

export function toNumber(input: unknown): number {
  if (typeof input === 'number') return input;
  if (typeof input === 'bigint') return Number(input);
  const type = bsonType(input);
  if (type === 'Long') return (input as Long).toNumber();
  if (type === 'Decimal128') return Number((input as Decimal128).toString());
  if (type === 'Int32' || type === 'Double') return (input as { value: number }).value;
  return NaN;
}

/** The bytes of a Binary, an ObjectId or a typed array. */
export function binaryBytes(value: unknown): Uint8Array {
  const type = bsonType(value);
  if (type === 'Binary') return (value as { buffer: Uint8Array }).buffer;
  if (type === 'ObjectId') return (value as { id: Uint8Array }).id;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return new Uint8Array();
}

/** Deep copy of plain documents/arrays/Dates; BSON value objects are immutable and shared. */
export function cloneValue<T>(value: T): T {
  if (Array.isArray(value)) return value.map((e: unknown) => cloneValue(e)) as T;
  if (value instanceof Date) return new Date(value.getTime()) as T;
  if (isPlainDoc(value)) {
    const out: Doc = {};
    for (const key of Object.keys(value)) setField(out, key, cloneValue(value[key]));
    return out as T;
  }
  return value;
}

/** A value as error messages show it (mongod's shell-like notation for strings, dates and ObjectIds). */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value instanceof Date) return `new Date(${value.getTime()})`;
  if (value === undefined || value === null) return 'null';
  const type = bsonType(value);
  if (type === 'ObjectId') return `ObjectId('${String(value)}')`;
  if (type !== undefined) return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

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

/** The bytes of a Binary, an ObjectId or a typed array. */
export function binaryBytes(value: unknown): Uint8Array {
  const t = bsonType(value);
  if (t === 'Binary') return (value as { buffer: Uint8Array }).buffer;
  if (t === 'ObjectId') return (value as { id: Uint8Array }).id;
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return new Uint8Array();
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

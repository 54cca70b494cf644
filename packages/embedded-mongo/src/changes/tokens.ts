/**
 * Resume tokens: `{_data: <hex string>}`, opaque to clients as in MongoDB. Ours encode the
 * cluster time (first, after MongoDB's 0x82 timestamp marker, so tokens of one run sort by
 * time like MongoDB's), what the token stands for, and the run of the engine that issued it:
 *
 *   82 | seconds (u32 BE) | increment (u32 BE) | kind (u8) | instance (8 bytes)
 *
 * kind: an event (resume after it), a high-water mark (resume at that time: everything before
 * was scanned), or the invalidate notification of a stream.
 */
import { Timestamp } from 'bson';
import { MongoCommandError } from '../errors';
import { bsonType } from '../bson/values';
import { isPlainDoc } from '../bson/paths';
import type { Ts } from './history';

export type TokenKind = 'event' | 'highWaterMark' | 'invalidate';

export interface ResumeTokenData {
  ts: Ts;
  kind: TokenKind;
  instance: string;
}

const KIND_BYTES: Record<TokenKind, string> = { highWaterMark: '01', event: '02', invalidate: '03' };
const TOKEN = /^82([0-9a-f]{8})([0-9a-f]{8})(0[123])([0-9a-f]{16})$/i;

export function encodeToken(time: Ts, kind: TokenKind, instance: string): { _data: string } {
  const hex = (n: number): string => n.toString(16).padStart(8, '0');
  return { _data: `82${hex(time.t)}${hex(time.i)}${KIND_BYTES[kind]}${instance}` };
}

/** Parses a client's token; a wrong shape is MongoDB's 40647, an unknown encoding 9. */
export function decodeToken(token: unknown): ResumeTokenData {
  const data = isPlainDoc(token) ? token._data : undefined;
  if (typeof data !== 'string') {
    throw new MongoCommandError(40647, `Bad resume token: _data of missing or of wrong type. Expected string, got ${JSON.stringify(token) ?? String(token)}`);
  }
  const m = TOKEN.exec(data);
  if (!m) throw new MongoCommandError(9, `Bad resume token: ${data} is not a resume token this server issued`);
  const kind: TokenKind = m[3] === '01' ? 'highWaterMark' : m[3] === '02' ? 'event' : 'invalidate';
  return { ts: { t: parseInt(m[1] as string, 16), i: parseInt(m[2] as string, 16) }, kind, instance: (m[4] as string).toLowerCase() };
}

export function toTimestamp(time: Ts): Timestamp {
  return new Timestamp({ t: time.t, i: time.i });
}

/** A client's Timestamp (startAtOperationTime) as a cluster time. */
export function fromTimestamp(value: unknown, field: string): Ts {
  if (bsonType(value) !== 'Timestamp') throw new MongoCommandError(14, `BSON field '$changeStream.${field}' is the wrong type, expected type 'timestamp'`);
  const time = value as Timestamp;
  return { t: time.t, i: time.i };
}

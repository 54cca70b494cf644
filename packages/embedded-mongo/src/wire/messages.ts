/**
 * MongoDB wire protocol framing: header, OP_QUERY (handshake) -> OP_REPLY, OP_MSG with
 * kind-0 body and kind-1 document sequences, optional CRC-32C checksum, moreToCome.
 */
import { deserialize, serialize } from 'bson';
import type { Document } from 'bson';
import { mayHoldDbRefs, withPlainDbRefs } from '../bson/dbref';
import { crc32c } from './crc';

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_COMPRESSED = 2012;
export const OP_MSG = 2013;

export const MAX_MESSAGE_SIZE = 48_000_000;
export const MIN_MESSAGE_SIZE = 16;

export const FLAG_CHECKSUM = 1;
export const FLAG_MORE_TO_COME = 2;

/** Documents on the wire keep int64 as Long (so Long round-trips); int32/double become numbers. */
export const WIRE_DESERIALIZE = { promoteLongs: false, promoteBuffers: false } as const;

export class ProtocolError extends Error {}

export interface IncomingCommand {
  requestId: number;
  opCode: number;
  flags: number;
  /** The command document with kind-1 sequences merged in. */
  command: Document;
  /** For OP_QUERY: the collection name (e.g. `admin.$cmd`). */
  fullCollectionName?: string;
}

function readCString(buf: Buffer, off: number): [string, number] {
  const end = buf.indexOf(0, off);
  if (end < 0) throw new ProtocolError('unterminated cstring');
  return [buf.toString('utf8', off, end), end + 1];
}

function readDoc(buf: Buffer, off: number, limit: number): [Document, number] {
  if (off + 5 > limit) throw new ProtocolError('truncated BSON document');
  const len = buf.readInt32LE(off);
  if (len < 5 || off + len > limit) throw new ProtocolError(`invalid BSON document length ${len}`);
  let doc: Document;
  try {
    const bson = buf.subarray(off, off + len);
    doc = deserialize(bson, WIRE_DESERIALIZE);
    if (mayHoldDbRefs(bson)) withPlainDbRefs(doc);
  } catch (error) {
    throw new ProtocolError(`invalid BSON: ${(error as Error).message}`);
  }
  return [doc, off + len];
}

/** Parses one complete message (header included). Throws ProtocolError on malformed input. */
export function parseMessage(msg: Buffer): IncomingCommand {
  const requestId = msg.readInt32LE(4);
  const opCode = msg.readInt32LE(12);
  if (opCode === OP_QUERY) {
    let off = 16;
    const flags = msg.readInt32LE(off);
    off += 4;
    const [fullCollectionName, afterName] = readCString(msg, off);
    off = afterName + 8; // numberToSkip, numberToReturn
    let [query] = readDoc(msg, off, msg.length);
    if ('$query' in query && typeof query.$query === 'object' && query.$query !== null) query = query.$query as Document;
    const db = fullCollectionName.split('.')[0] ?? 'admin';
    return { requestId, opCode, flags, command: { ...query, $db: query.$db ?? db }, fullCollectionName };
  }
  if (opCode === OP_MSG) {
    const flags = msg.readUInt32LE(16);
    let end = msg.length;
    if (flags & FLAG_CHECKSUM) {
      end -= 4;
      if (end < 21) throw new ProtocolError('message too short for checksum');
      const expected = msg.readUInt32LE(end);
      if (crc32c(msg, 0, end) !== expected) throw new ProtocolError('OP_MSG checksum mismatch');
    }
    const unknownRequired = flags & 0xfffe & ~(FLAG_MORE_TO_COME | 0x10000);
    if (unknownRequired & 0xffff) throw new ProtocolError(`unsupported OP_MSG flag bits 0x${flags.toString(16)}`);
    let off = 20;
    let body: Document | undefined;
    const sequences: [string, Document[]][] = [];
    while (off < end) {
      const kind = msg[off];
      off += 1;
      if (kind === 0) {
        if (body) throw new ProtocolError('OP_MSG with more than one body section');
        [body, off] = readDoc(msg, off, end);
      } else if (kind === 1) {
        if (off + 4 > end) throw new ProtocolError('truncated document sequence');
        const size = msg.readInt32LE(off);
        const seqEnd = off + size;
        if (size < 5 || seqEnd > end) throw new ProtocolError('invalid document sequence size');
        const [id, docsStart] = readCString(msg, off + 4);
        const docs: Document[] = [];
        let p = docsStart;
        while (p < seqEnd) {
          let doc: Document;
          [doc, p] = readDoc(msg, p, seqEnd);
          docs.push(doc);
        }
        sequences.push([id, docs]);
        off = seqEnd;
      } else {
        throw new ProtocolError(`unknown OP_MSG section kind ${String(kind)}`);
      }
    }
    if (!body) throw new ProtocolError('OP_MSG without a body section');
    for (const [id, docs] of sequences) body[id] = docs;
    return { requestId, opCode, flags, command: body };
  }
  throw new ProtocolError(`unsupported opCode ${opCode}`);
}

let nextRequestId = 1;

function header(buf: Buffer, length: number, responseTo: number, opCode: number): void {
  buf.writeInt32LE(length, 0);
  buf.writeInt32LE(nextRequestId++ & 0x7fffffff, 4);
  buf.writeInt32LE(responseTo, 8);
  buf.writeInt32LE(opCode, 12);
}

export function encodeOpMsg(responseTo: number, doc: Document, flags = 0): Buffer {
  const body = serialize(doc);
  const len = 16 + 4 + 1 + body.length;
  const buf = Buffer.allocUnsafe(len);
  header(buf, len, responseTo, OP_MSG);
  buf.writeUInt32LE(flags, 16);
  buf[20] = 0;
  buf.set(body, 21);
  return buf;
}

export function encodeOpReply(responseTo: number, doc: Document): Buffer {
  const body = serialize(doc);
  const len = 16 + 20 + body.length;
  const buf = Buffer.allocUnsafe(len);
  header(buf, len, responseTo, OP_REPLY);
  buf.writeInt32LE(8, 16); // responseFlags: AwaitCapable
  buf.writeBigInt64LE(0n, 20); // cursorID
  buf.writeInt32LE(0, 28); // startingFrom
  buf.writeInt32LE(1, 32); // numberReturned
  buf.set(body, 36);
  return buf;
}

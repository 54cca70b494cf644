/**
 * Record framing shared by the append-only log and the snapshot file:
 * `[u32 LE payload length][u32 LE CRC-32 of payload][payload = one BSON document]`.
 * CRC-32 is the IEEE polynomial, as computed by zlib.
 */
import { deserialize, serialize } from 'bson';
import type { Document } from 'bson';
import { crc32 } from 'node:zlib';
import { mayHoldDbRefs, withPlainDbRefs } from '../bson/dbref';

export const STORAGE_DESERIALIZE = { promoteLongs: false, promoteBuffers: false } as const;
const MAX_RECORD = 512 * 1024 * 1024;

export function frameRecord(doc: Document): Buffer {
  const payload = serialize(doc);
  const out = Buffer.allocUnsafe(8 + payload.length);
  out.writeUInt32LE(payload.length, 0);
  out.writeUInt32LE(crc32(payload), 4);
  out.set(payload, 8);
  return out;
}

export interface ParsedRecords {
  records: Document[];
  /** Offset just past the last intact record. */
  goodLength: number;
  /** Why parsing stopped before the end of the buffer, if it did. */
  problem: string | undefined;
}

export function parseRecords(buf: Buffer): ParsedRecords {
  const records: Document[] = [];
  let off = 0;
  while (off < buf.length) {
    if (buf.length - off < 8) return { records, goodLength: off, problem: `torn record header at offset ${off}` };
    const len = buf.readUInt32LE(off);
    const crc = buf.readUInt32LE(off + 4);
    if (len < 5 || len > MAX_RECORD || off + 8 + len > buf.length) {
      return { records, goodLength: off, problem: `torn or corrupt record at offset ${off} (length ${len})` };
    }
    const payload = buf.subarray(off + 8, off + 8 + len);
    if (crc32(payload) !== crc) return { records, goodLength: off, problem: `checksum mismatch at offset ${off}` };
    try {
      const record = deserialize(payload, STORAGE_DESERIALIZE);
      records.push(mayHoldDbRefs(payload) ? withPlainDbRefs(record) : record);
    } catch (error) {
      return { records, goodLength: off, problem: `undecodable record at offset ${off}: ${(error as Error).message}` };
    }
    off += 8 + len;
  }
  return { records, goodLength: off, problem: undefined };
}

/** Table-driven CRC-32 (IEEE, for log records) and CRC-32C (Castagnoli, for OP_MSG checksums). */
function makeTable(poly: number): Uint32Array {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? poly ^ (c >>> 1) : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
}

const CRC32_TABLE = makeTable(0xedb88320);
const CRC32C_TABLE = makeTable(0x82f63b78);

function run(table: Uint32Array, buf: Uint8Array, start: number, end: number): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = (table[(c ^ (buf[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

export function crc32(buf: Uint8Array, start = 0, end = buf.length): number {
  return run(CRC32_TABLE, buf, start, end);
}

export function crc32c(buf: Uint8Array, start = 0, end = buf.length): number {
  return run(CRC32C_TABLE, buf, start, end);
}

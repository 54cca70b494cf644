import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BSON, MongoClient } from 'mongodb';
import type { Document } from 'mongodb';
import { crc32c } from '../src/wire/crc';
import { getServer, realMongo } from './server';
import type { TestServer } from './server';

let server: TestServer;
beforeAll(async () => {
  server = await getServer('protocol');
});
afterAll(async () => {
  await server?.stop();
});

function opMsg(doc: Document, flags = 0, requestId = 1): Buffer {
  const body = Buffer.from(BSON.serialize(doc));
  const withSum = (flags & 1) !== 0;
  const len = 21 + body.length + (withSum ? 4 : 0);
  const buf = Buffer.alloc(len);
  buf.writeInt32LE(len, 0);
  buf.writeInt32LE(requestId, 4);
  buf.writeInt32LE(0, 8);
  buf.writeInt32LE(2013, 12);
  buf.writeUInt32LE(flags, 16);
  buf[20] = 0;
  body.copy(buf, 21);
  if (withSum) buf.writeUInt32LE(crc32c(buf, 0, len - 4), len - 4);
  return buf;
}

function hostPort(): { host: string; port: number } {
  const m = /mongodb:\/\/(?:[^@/]*@)?([^:/,]+):(\d+)/.exec(server.uri);
  return { host: m?.[1] ?? '127.0.0.1', port: Number(m?.[2] ?? 27017) };
}

/** Sends bytes; resolves with the first reply document, or 'closed' if the server hangs up. */
function exchange(bytes: Buffer, expectReply = true, waitMs = 1500): Promise<Document | 'closed' | 'silent'> {
  const { host, port } = hostPort();
  return new Promise((resolve) => {
    const sock = net.connect(port, host, () => sock.write(bytes));
    let data = Buffer.alloc(0);
    const timer = setTimeout(() => {
      sock.destroy();
      resolve('silent');
    }, waitMs);
    sock.on('data', (d: Buffer) => {
      data = Buffer.concat([data, d]);
      if (data.length >= 4 && data.length >= data.readInt32LE(0)) {
        clearTimeout(timer);
        sock.destroy();
        resolve(expectReply ? BSON.deserialize(data.subarray(21, data.readInt32LE(0))) : 'silent');
      }
    });
    sock.on('error', () => undefined);
    sock.on('close', () => {
      clearTimeout(timer);
      resolve('closed');
    });
  });
}

describe('wire protocol', () => {
  it('answers an OP_MSG with a CRC-32C checksum', async () => {
    const reply = await exchange(opMsg({ ping: 1, $db: 'admin' }, 1));
    expect(reply).toMatchObject({ ok: 1 });
  });

  it('sends no reply to a moreToCome message, then keeps serving', async () => {
    const { host, port } = hostPort();
    const sock = net.connect(port, host);
    await new Promise((r) => sock.once('connect', r));
    const replies: Buffer[] = [];
    sock.on('data', (d: Buffer) => replies.push(d));
    sock.write(opMsg({ insert: 'mtc', documents: [{ a: 1 }], $db: server.dbName, writeConcern: { w: 0 } }, 2, 1));
    sock.write(opMsg({ ping: 1, $db: 'admin' }, 0, 2));
    await new Promise((r) => setTimeout(r, 300));
    sock.destroy();
    const all = Buffer.concat(replies);
    expect(all.length).toBeGreaterThan(0);
    expect(all.readInt32LE(8)).toBe(2); // the only reply answers request 2
    expect(all.length).toBe(all.readInt32LE(0));
  });
});

describe.skipIf(realMongo)('malformed input (engine-only: sends deliberately broken bytes)', () => {
  it('closes the connection on a too-small, oversized or unparseable message; keeps serving others', async () => {
    const client = new MongoClient(server.uri);
    try {
      await client.db(server.dbName).collection('p').insertOne({ ok: true });
      const tiny = Buffer.alloc(16);
      tiny.writeInt32LE(8, 0);
      expect(await exchange(tiny)).toBe('closed');
      const huge = Buffer.alloc(16);
      huge.writeInt32LE(48_000_001, 0);
      expect(await exchange(huge)).toBe('closed');
      const badBson = opMsg({ ping: 1, $db: 'admin' });
      badBson.writeInt32LE(9999, 21); // BSON length field lies
      expect(await exchange(badBson)).toBe('closed');
      const badSum = opMsg({ ping: 1, $db: 'admin' }, 1);
      badSum.writeUInt32LE(0xdeadbeef, badSum.length - 4);
      expect(await exchange(badSum)).toBe('closed');
      const badOp = opMsg({ ping: 1 });
      badOp.writeInt32LE(9999, 12);
      expect(await exchange(badOp)).toBe('closed');
      expect(await client.db(server.dbName).collection('p').countDocuments()).toBe(1);
    } finally {
      await client.close();
    }
  });

  it('answers an unknown command with ok:0 / 59 over a raw socket', async () => {
    const reply = await exchange(opMsg({ fooBar: 1, $db: 'admin' }));
    expect(reply).toMatchObject({ ok: 0, code: 59, codeName: 'CommandNotFound' });
    expect((reply as Document).errmsg).toContain('fooBar');
  });
});

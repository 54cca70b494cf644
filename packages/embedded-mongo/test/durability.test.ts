/**
 * Engine-only: these tests restart the engine, kill it with SIGKILL, corrupt its log and
 * inspect its files — none of which can be done to a real MongoDB from a test.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Long, MongoClient, ObjectId } from 'mongodb';
import type { Document } from 'mongodb';
import { start } from '../src/index';
import type { StartOptions } from '../src/index';
import { quietLogger, realMongo } from './server';

const pkgDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'embedded-mongo-test-'));
afterAll(() => fs.rmSync(tmpRoot, { recursive: true, force: true }));
let dirN = 0;
const freshDir = (): string => path.join(tmpRoot, `db${++dirN}`);

async function withEngine<T>(opts: StartOptions, fn: (client: MongoClient) => Promise<T>): Promise<T> {
  const engine = await start({ port: 0, logger: quietLogger, ttlMonitorIntervalMs: 100, ...opts });
  const client = new MongoClient(engine.uri);
  try {
    return await fn(client);
  } finally {
    await client.close();
    await engine.stop();
  }
}

function spawnEngine(dbPath: string): Promise<{ child: ChildProcess; uri: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', '--port', '0', '--dbpath', dbPath], {
    cwd: pkgDir,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const rl = readline.createInterface({ input: child.stdout as NodeJS.ReadableStream });
    rl.once('line', (line) => {
      const info = JSON.parse(line) as { uri: string };
      resolve({ child, uri: info.uri });
    });
    child.once('exit', (code) => reject(new Error(`engine exited early (${String(code)}): ${stderr}`)));
  });
}

describe.skipIf(realMongo)('durability (engine-only: restarts, kill -9, log files)', () => {
  it('keeps collections, documents, indexes and TTL settings across stop/start', async () => {
    const dbPath = freshDir();
    const id = new ObjectId();
    await withEngine({ dbPath }, async (client) => {
      const c = client.db('app').collection('users');
      await c.createIndex({ email: 1 }, { unique: true });
      await c.createIndex({ expires: 1 }, { expireAfterSeconds: 3600 });
      await c.insertOne({ _id: id, email: 'a@x', big: Long.fromString('123456789012345678'), at: new Date(1234) });
      await c.insertOne({ email: 'b@x' });
      await c.updateOne({ email: 'b@x' }, { $set: { n: 1 } });
      await c.deleteOne({ email: 'b@x' });
      await client.db('app').collection('dropped').insertOne({ a: 1 });
      await client.db('app').collection('dropped').drop();
      await client.db('gone').collection('x').insertOne({ a: 1 });
      await client.db('gone').dropDatabase();
    });
    await withEngine({ dbPath }, async (client) => {
      const db = client.db('app', { promoteLongs: false });
      const c = db.collection('users');
      const docs = await c.find({}).toArray();
      expect(docs).toHaveLength(1);
      expect((docs[0] as Document)._id.equals(id)).toBe(true);
      expect((docs[0] as Document).big).toBeInstanceOf(Long);
      expect(((docs[0] as Document).at as Date).getTime()).toBe(1234);
      const idx = await c.listIndexes().toArray();
      expect(idx.find((i) => i.name === 'email_1')?.unique).toBe(true);
      expect(idx.find((i) => i.name === 'expires_1')?.expireAfterSeconds).toBe(3600);
      expect(((await c.insertOne({ email: 'a@x' }).catch((e: unknown) => e)) as { code: number }).code).toBe(11000);
      const names = (await db.listCollections().toArray()).map((x) => x.name);
      expect(names).toEqual(['users']);
      const dbs = (await client.db('admin').admin().listDatabases()).databases.map((d) => d.name);
      expect(dbs).not.toContain('gone');
    });
  });

  it('keeps collations, collMod changes, validators and capped limits across stop/start and compaction', async () => {
    const dbPath = freshDir();
    const ci = { locale: 'en', strength: 2 };
    await withEngine({ dbPath }, async (client) => {
      const db = client.db('app');
      const users = await db.createCollection('users', { collation: ci, validator: { email: { $exists: true } } });
      await users.createIndex({ email: 1 }, { unique: true });
      await users.createIndex({ seen: 1 }, { expireAfterSeconds: 60 });
      await users.insertOne({ email: 'Ann@x.io' });
      await db.command({ collMod: 'users', index: { name: 'seen_1', expireAfterSeconds: 90 } });
      await db.command({ collMod: 'users', index: { name: 'email_1', hidden: true } });
      const log = await db.createCollection('log', { capped: true, size: 4096, max: 2 });
      await log.insertMany([{ i: 1 }, { i: 2 }, { i: 3 }]);
    });
    await withEngine({ dbPath, compactThresholdBytes: 1 }, async (client) => {
      const db = client.db('app');
      const users = db.collection('users');
      expect(await users.countDocuments({ email: 'ANN@X.IO' })).toBe(1);
      expect(((await users.insertOne({ email: 'ann@x.io' }).catch((e: unknown) => e)) as { code: number }).code).toBe(11000);
      expect(((await users.insertOne({ name: 'no email' }).catch((e: unknown) => e)) as { code: number }).code).toBe(121);
      const idx = await users.listIndexes().toArray();
      expect(idx.find((i) => i.name === 'seen_1')?.expireAfterSeconds).toBe(90);
      expect(idx.find((i) => i.name === 'email_1')?.hidden).toBe(true);
      await db.collection('log').insertOne({ i: 4 });
    });
    await withEngine({ dbPath }, async (client) => {
      expect((await client.db('app').collection('log').find({}).toArray()).map((d) => d.i)).toEqual([3, 4]);
      expect(await client.db('app').collection('users').countDocuments({ email: 'ann@X.io' })).toBe(1);
    });
  });

  it('every acknowledged write survives kill -9 of the engine process', async () => {
    const dbPath = freshDir();
    const first = await spawnEngine(dbPath);
    // Writes are retryable on a replica set: after the kill the driver looks for a server to
    // retry on, for serverSelectionTimeoutMS (30 s by default).
    const client = new MongoClient(first.uri, { maxPoolSize: 20, serverSelectionTimeoutMS: 1000 });
    const acked = new Map<string, number>();
    let stop = false;
    try {
      const c = client.db('app').collection('sessions');
      await c.createIndex({ expires: 1 }, { expireAfterSeconds: 0 });
      const worker = async (w: number): Promise<void> => {
        for (let i = 0; !stop; i++) {
          const _id = `w${w}-${i % 25}`;
          try {
            await c.updateOne({ _id } as Document, { $set: { v: i, expires: new Date(Date.now() + 3_600_000) } }, { upsert: true });
            acked.set(_id, i);
          } catch {
            return;
          }
        }
      };
      const workers = Array.from({ length: 8 }, (_, w) => worker(w));
      await new Promise((r) => setTimeout(r, 700));
      first.child.kill('SIGKILL');
      stop = true;
      await Promise.all(workers);
    } finally {
      await client.close(true);
    }
    expect(acked.size).toBeGreaterThan(10);
    const second = await spawnEngine(dbPath);
    const c2 = new MongoClient(second.uri);
    try {
      const docs = await c2.db('app').collection('sessions').find({}).toArray();
      const stored = new Map(docs.map((d) => [String(d._id), d.v as number]));
      for (const [id, v] of acked) {
        expect(stored.has(id)).toBe(true);
        // a write that was in flight at the kill may or may not have landed: never older than the last ack
        expect(stored.get(id)).toBeGreaterThanOrEqual(v);
      }
      const idx = await c2.db('app').collection('sessions').listIndexes().toArray();
      expect(idx.some((i) => i.name === 'expires_1')).toBe(true);
    } finally {
      await c2.close();
      second.child.kill('SIGTERM');
      await new Promise((r) => second.child.once('exit', r));
    }
    expect(fs.existsSync(path.join(dbPath, 'mongod.lock'))).toBe(false);
  });

  it('ignores and truncates a torn / corrupt last log record', async () => {
    const dbPath = freshDir();
    await withEngine({ dbPath }, async (client) => {
      await client
        .db('app')
        .collection('t')
        .insertMany([{ _id: 1 }, { _id: 2 }] as Document[]);
    });
    const log = path.join(dbPath, 'journal.log');
    const good = fs.statSync(log).size;
    fs.appendFileSync(log, Buffer.from([0x40, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3]));
    const warnings: string[] = [];
    const engine = await start({ port: 0, dbPath, logger: { info: () => undefined, warn: (m) => warnings.push(m) } });
    const client = new MongoClient(engine.uri);
    try {
      expect(await client.db('app').collection('t').countDocuments()).toBe(2);
      expect(warnings.join('\n')).toMatch(/torn|corrupt|checksum/);
      expect(fs.statSync(log).size).toBe(good);
      await client
        .db('app')
        .collection('t')
        .insertOne({ _id: 3 } as Document);
    } finally {
      await client.close();
      await engine.stop();
    }
    // a record whose checksum does not match is also dropped (bit flip in the last record)
    const buf = fs.readFileSync(log);
    buf[buf.length - 3] = (buf[buf.length - 3] as number) ^ 0xff;
    fs.writeFileSync(log, buf);
    await withEngine({ dbPath }, async (client) => {
      expect((await client.db('app').collection('t').find({}).toArray()).map((d) => d._id)).toEqual([1, 2]);
    });
  });

  it('compacts the log into a snapshot so it stays bounded, and recovers from it', async () => {
    const dbPath = freshDir();
    const threshold = 64 * 1024;
    const engine = await start({ port: 0, dbPath, logger: quietLogger, compactThresholdBytes: threshold });
    const client = new MongoClient(engine.uri);
    try {
      const c = client.db('app').collection('s');
      await c.createIndex({ k: 1 }, { unique: true });
      for (let round = 0; round < 20; round++) {
        await Promise.all(
          Array.from({ length: 50 }, (_, i) => c.updateOne({ _id: `id${i}` } as Document, { $set: { k: i, round, pad: 'x'.repeat(200) } }, { upsert: true })),
        );
      }
      const stats = engine.journalStats();
      expect(stats?.compactions).toBeGreaterThan(0);
      expect(fs.statSync(path.join(dbPath, 'journal.log')).size).toBeLessThan(threshold + 16 * 1024);
      expect(fs.existsSync(path.join(dbPath, 'snapshot.bson'))).toBe(true);
    } finally {
      await client.close();
      await engine.stop();
    }
    await withEngine({ dbPath }, async (client) => {
      const c = client.db('app').collection('s');
      expect(await c.countDocuments({ round: 19 })).toBe(50);
      expect(((await c.insertOne({ k: 3 }).catch((e: unknown) => e)) as { code: number }).code).toBe(11000);
    });
  });

  it('locks the dbPath against a second engine', async () => {
    const dbPath = freshDir();
    const a = await start({ port: 0, dbPath, logger: quietLogger });
    try {
      await expect(start({ port: 0, dbPath, logger: quietLogger })).rejects.toThrow(/in use|locked/);
    } finally {
      await a.stop();
    }
    const b = await start({ port: 0, dbPath, logger: quietLogger });
    await b.stop();
  });
});

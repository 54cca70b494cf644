import { EMBEDDED_MONGO_FILE } from '../config';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BSON, MongoClient, MongoServerError } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { waitForMail } from '../test/mail';
import { startApi } from '../test/processes';
import { TEST_SECRET, TEST_TOTP_KEY } from '../test/test-config';

/**
 * S39: the embedded engine inside the API is reachable only by the API and the project's tools, and
 * its files only by the OS user running them. These tests start the API as a process, the way
 * `npm start` does, with the data directory in a folder that others may traverse (0755), seeded with
 * files as loose as an older version left them.
 */

const isRoot = process.getuid?.() === 0;
const hasSetpriv = existsSync('/usr/bin/setpriv');

function looseDataDir(): string {
  const base = mkdtempSync(join(tmpdir(), 'gatehouse-s39-'));
  chmodSync(base, 0o755);
  const dataDir = join(base, 'data');
  mkdirSync(join(dataDir, 'db'), { recursive: true, mode: 0o755 });
  chmodSync(dataDir, 0o755);
  chmodSync(join(dataDir, 'db'), 0o755);
  // What an older version left behind: a world-readable connection file and log.
  writeFileSync(join(dataDir, EMBEDDED_MONGO_FILE), '{"uri":"mongodb://127.0.0.1:1/gatehouse"}\n', { mode: 0o644 });
  writeFileSync(join(dataDir, 'db', 'journal.log'), '', { mode: 0o644 });
  return dataDir;
}

const modeOf = (path: string): number => lstatSync(path).mode & 0o777;

function engineUri(dataDir: string): string {
  return (JSON.parse(readFileSync(join(dataDir, EMBEDDED_MONGO_FILE), 'utf8')) as { uri: string }).uri;
}

function withoutCredentials(uri: string): string {
  const url = new URL(uri);
  url.username = '';
  url.password = '';
  url.search = '';
  return url.toString();
}

/** One OP_MSG request; the raw reply bytes come back from whoever sends it. */
function opMsg(doc: Record<string, unknown>): Buffer {
  const body = Buffer.from(BSON.serialize(doc));
  const buf = Buffer.alloc(21 + body.length);
  buf.writeInt32LE(buf.length, 0);
  buf.writeInt32LE(1, 4);
  buf.writeInt32LE(2013, 12);
  body.copy(buf, 21);
  return buf;
}

function replyOf(bytes: Buffer): Record<string, unknown> {
  return BSON.deserialize(bytes.subarray(21, bytes.readInt32LE(0)));
}

function run(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 20_000 }, (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });
}

/** Runs as uid/gid 65534 (nobody): tries to read `paths` and to list databases on `port` without credentials. */
const SECOND_USER_PROBE = `
const fs = require('node:fs');
const net = require('node:net');
const [port, request, ...paths] = process.argv.slice(1);
const out = { reads: {}, reply: null };
for (const p of paths) {
  try { fs.readFileSync(p); out.reads[p] = 'read'; } catch (e) { out.reads[p] = e.code; }
}
const sock = net.connect(Number(port), '127.0.0.1', () => sock.write(Buffer.from(request, 'hex')));
let data = Buffer.alloc(0);
sock.on('data', (d) => {
  data = Buffer.concat([data, d]);
  if (data.length >= 4 && data.length >= data.readInt32LE(0)) { out.reply = data.toString('hex'); sock.destroy(); }
});
sock.on('close', () => { process.stdout.write(JSON.stringify(out)); });
sock.on('error', (e) => { out.reply = e.code; });
`;

describe('S39: the embedded engine is closed to everyone but the app and its tools', () => {
  it('S39: data directory 0700, every file 0600; no credentials → refused; the credentials file works', { timeout: 60_000 }, async () => {
    const dataDir = looseDataDir();
    const api = await startApi({ DATA_DIR: dataDir });
    try {
      const registered = await fetch(`${api.baseUrl}/api/auth/register`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'Owner', email: 's39@example.com', password: 'correct horse battery staple' }),
      });
      expect(registered.status).toBe(202);
      // The verification mail lands in the outbox, which holds live links: private like the rest (S39).
      await waitForMail(api.baseUrl, 's39@example.com', 'confirm your email address');

      expect(modeOf(dataDir)).toBe(0o700);
      expect(modeOf(join(dataDir, 'db'))).toBe(0o700);
      expect(modeOf(join(dataDir, 'outbox'))).toBe(0o700);
      const files = [
        ...readdirSync(dataDir).map((name) => join(dataDir, name)),
        ...readdirSync(join(dataDir, 'db')).map((name) => join(dataDir, 'db', name)),
        ...readdirSync(join(dataDir, 'outbox')).map((name) => join(dataDir, 'outbox', name)),
      ].filter((path) => lstatSync(path).isFile());
      expect(files.map((path) => path.slice(dataDir.length + 1)).sort()).toEqual(
        expect.arrayContaining(['db/journal.log', 'db/mongod.lock', EMBEDDED_MONGO_FILE, 'session-secret']),
      );
      expect(files.filter((path) => path.includes('/outbox/'))).toHaveLength(1);
      for (const path of files) expect({ path, mode: modeOf(path).toString(8) }).toEqual({ path, mode: '600' });

      const uri = engineUri(dataDir);
      expect(new URL(uri).password.length).toBeGreaterThanOrEqual(32);
      const anonymous = new MongoClient(withoutCredentials(uri), { serverSelectionTimeoutMS: 3000 });
      try {
        const denied = await anonymous
          .db('admin')
          .command({ listDatabases: 1 })
          .catch((e: unknown) => e);
        expect(denied).toBeInstanceOf(MongoServerError);
        expect(denied).toMatchObject({ code: 13 });
        await expect(anonymous.db('gatehouse').collection('users').findOne({})).rejects.toMatchObject({ code: 13 });
      } finally {
        await anonymous.close();
      }
      const wrong = new URL(uri);
      wrong.password = 'guessed';
      const guesser = new MongoClient(wrong.toString(), { serverSelectionTimeoutMS: 3000 });
      await expect(guesser.connect()).rejects.toThrow(/Authentication failed/);
      await guesser.close();
      // What `npm run user:role` does: the credentials from the 0600 file open the database.
      const tool = new MongoClient(uri, { serverSelectionTimeoutMS: 3000 });
      try {
        expect(await tool.db().collection('users').countDocuments({ email: 's39@example.com' })).toBe(1);
      } finally {
        await tool.close();
      }
    } finally {
      expect(await api.stop()).toBe(0);
    }
  });

  it.skipIf(!isRoot || !hasSetpriv)(
    `S39: a second OS user (nobody) can neither read the data directory nor use the engine${isRoot && hasSetpriv ? '' : ' — cannot run here: needs root and /usr/bin/setpriv to switch to uid 65534'}`,
    { timeout: 60_000 },
    async () => {
      const dataDir = looseDataDir();
      const api = await startApi({ DATA_DIR: dataDir });
      try {
        const port = new URL(engineUri(dataDir)).port;
        const paths = [join(dataDir, EMBEDDED_MONGO_FILE), join(dataDir, 'db', 'journal.log'), join(dataDir, 'session-secret')];
        const request = opMsg({ listDatabases: 1, $db: 'admin' }).toString('hex');
        const probe = await run('/usr/bin/setpriv', [
          '--reuid=65534',
          '--regid=65534',
          '--clear-groups',
          process.execPath,
          '-e',
          SECOND_USER_PROBE,
          port,
          request,
          ...paths,
        ]);
        expect(probe.stderr).toBe('');
        const out = JSON.parse(probe.stdout) as { reads: Record<string, string>; reply: string };
        for (const path of paths) expect(out.reads[path]).toBe('EACCES');
        expect(replyOf(Buffer.from(out.reply, 'hex'))).toMatchObject({ ok: 0, code: 13, codeName: 'Unauthorized' });
      } finally {
        expect(await api.stop()).toBe(0);
      }
    },
  );

  it('S39: production refuses to start without MONGODB_URI unless EMBEDDED_MONGO=allow', { timeout: 60_000 }, async () => {
    const env = { NODE_ENV: 'production', SESSION_SECRETS: TEST_SECRET, TOTP_ENCRYPTION_KEYS: TEST_TOTP_KEY, DATA_DIR: looseDataDir() };
    await expect(startApi(env)).rejects.toThrow(/exited with 1[\s\S]*MONGODB_URI is required in production[\s\S]*EMBEDDED_MONGO=allow/);
    const allowed = await startApi({ ...env, EMBEDDED_MONGO: 'allow' });
    try {
      expect((await fetch(`${allowed.baseUrl}/api/ready`)).status).toBe(200);
    } finally {
      expect(await allowed.stop()).toBe(0);
    }
  });
});

/** LISTEN sockets on `port` from /proc/net/tcp{,6}: local addresses in kernel notation. */
function listeningAddresses(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const out: string[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (state === '0A' && local?.endsWith(`:${hexPort}`)) out.push(local.slice(0, -5));
    }
  }
  return out;
}

/** Whether this machine has IPv6 loopback at all (decided apart from the server under test). */
function canListenOnIpv6Loopback(): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(0, '::1', () => probe.close(() => resolve(true)));
  });
}

const LOOPBACK_V4 = '0100007F';
const LOOPBACK_V6 = '00000000000000000000000001000000';

describe('S39: npm start in development listens on loopback only', () => {
  it.skipIf(!existsSync('/proc/net/tcp'))(
    `S39: without HOST it listens on 127.0.0.1 and ::1 and nowhere else${existsSync('/proc/net/tcp') ? '' : ' — cannot run here: needs Linux /proc/net/tcp to read the bound addresses'}`,
    { timeout: 60_000 },
    async () => {
      const api = await startApi({ NODE_ENV: 'development', HOST: '', DATA_DIR: looseDataDir(), SESSION_SECRETS: TEST_SECRET });
      try {
        const bound = listeningAddresses(api.port);
        expect(bound).toContain(LOOPBACK_V4);
        const ipv6 = await canListenOnIpv6Loopback();
        if (ipv6) expect(bound).toContain(LOOPBACK_V6);
        expect(bound.every((address) => address === LOOPBACK_V4 || address === LOOPBACK_V6)).toBe(true);
        expect((await fetch(`http://127.0.0.1:${api.port}/api/health`)).status).toBe(200);
        if (ipv6) expect((await fetch(`http://[::1]:${api.port}/api/health`)).status).toBe(200);
      } finally {
        expect(await api.stop()).toBe(0);
      }
    },
  );

  it('S39: an explicit HOST decides where it listens', { timeout: 60_000 }, async () => {
    const api = await startApi({ HOST: '0.0.0.0', DATA_DIR: looseDataDir(), SESSION_SECRETS: TEST_SECRET });
    try {
      if (existsSync('/proc/net/tcp')) expect(listeningAddresses(api.port)).toEqual(['00000000']);
      const open = await new Promise<boolean>((resolve) => {
        const socket = net.connect(api.port, '127.0.0.1', () => {
          socket.destroy();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
      });
      expect(open).toBe(true);
    } finally {
      expect(await api.stop()).toBe(0);
    }
  });
});

/**
 * Test helpers for change streams: a consumer that collects a stream's events, a TCP proxy whose
 * connections a test can cut (to see the driver resume), and whether the server under test can
 * have change streams at all (MongoDB has them only on replica sets and sharded clusters).
 */
import net from 'node:net';
import { once } from 'node:events';
import { MongoClient } from 'mongodb';
import type { ChangeStream, Document } from 'mongodb';

/** False when MONGODB_URI points at a standalone mongod (told apart by its hello reply). */
export async function serverHasChangeStreams(): Promise<boolean> {
  const uri = process.env.MONGODB_URI;
  if (!uri) return true;
  const client = new MongoClient(uri);
  try {
    const hello = await client.db('admin').command({ hello: 1 });
    return typeof hello.setName === 'string' || hello.msg === 'isdbgrid';
  } finally {
    await client.close();
  }
}

/** Reads a change stream in iterator mode (what `for await` does) into a queue. */
export class Collector<T extends Document = Document> {
  readonly events: T[] = [];
  error: unknown;
  private taken = 0;
  private wake: (() => void) | undefined;

  private constructor(readonly stream: ChangeStream<Document, T>) {}

  /** Starts reading and resolves once the stream is open on the server (its first reply came). */
  static async start<T extends Document>(stream: ChangeStream<Document, T>): Promise<Collector<T>> {
    const c = new Collector<T>(stream);
    const opened = once(stream, 'resumeTokenChanged');
    void c.loop();
    await Promise.race([opened, c.failed()]);
    return c;
  }

  private async loop(): Promise<void> {
    try {
      for (;;) {
        this.events.push(await this.stream.next());
        this.wake?.();
      }
    } catch (e) {
      this.error = e;
      this.wake?.();
    }
  }

  private async failed(): Promise<never> {
    while (this.error === undefined) await new Promise<void>((r) => (this.wake = r));
    throw this.error;
  }

  /** The next `n` events (waits for them; fails after `timeoutMs` or if the stream failed). */
  async take(n: number, timeoutMs = 10_000): Promise<T[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.events.length < this.taken + n) {
      if (this.error !== undefined) throw this.error;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`expected ${n} change events, got ${this.events.length - this.taken}: ${JSON.stringify(this.events.slice(this.taken))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    const out = this.events.slice(this.taken, this.taken + n);
    this.taken += n;
    return out;
  }

  /** Waits for the stream to fail (or `timeoutMs`), and returns the error. */
  async failure(timeoutMs = 10_000): Promise<unknown> {
    const deadline = Date.now() + timeoutMs;
    while (this.error === undefined && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, deadline - Date.now());
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    return this.error;
  }

  async close(): Promise<void> {
    await this.stream.close();
  }
}

export interface Proxy {
  port: number;
  /** Drops every open connection (clients see a network error), and keeps accepting new ones. */
  cut(): void;
  close(): Promise<void>;
}

/** A TCP proxy to `host:port`. */
export async function startProxy(host: string, port: number): Promise<Proxy> {
  const open = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(port, host);
    for (const s of [client, upstream]) {
      open.add(s);
      s.on('close', () => open.delete(s));
      s.on('error', () => undefined);
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address() as net.AddressInfo;
  return {
    port: address.port,
    cut() {
      for (const s of open) s.destroy();
    },
    async close() {
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The first host of a mongodb:// URI. */
export function firstHost(uri: string): { host: string; port: number } {
  const m = /^mongodb:\/\/(?:[^@/]*@)?([^,/?]+)/.exec(uri);
  if (!m) throw new Error(`cannot read a host from ${uri}`);
  const hostPort = m[1] as string;
  const i = hostPort.lastIndexOf(':');
  const host = i > 0 ? hostPort.slice(0, i) : hostPort;
  return { host: host.replace(/^\[|\]$/g, ''), port: i > 0 ? Number(hostPort.slice(i + 1)) : 27017 };
}

/** The same URI with its hosts replaced by the proxy, connecting directly (no discovery past it). */
export function throughProxy(uri: string, proxyPort: number): string {
  const replaced = uri.replace(/^(mongodb:\/\/(?:[^@/]*@)?)([^/?]+)/, `$1127.0.0.1:${proxyPort}`);
  return replaced + (replaced.includes('?') ? '&' : '?') + 'directConnection=true';
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Events are checked field by field against MongoDB's documented shapes, so they are plain documents here. */
export type Event = Document;
/** The documents these tests write (string or number _ids). */
export interface Row {
  _id: string | number;
  name?: string;
  title?: string;
  kind?: string;
  keep?: string;
  user?: string;
  n?: number;
  v?: number;
  a?: number;
  b?: number;
  at?: number;
  added?: number;
  visits?: number;
  drop?: boolean;
  tags?: string[];
  list?: string[];
  profile?: { city?: string; zip?: string };
  settings?: { theme?: string };
  expires?: Date;
}

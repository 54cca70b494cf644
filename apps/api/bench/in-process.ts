/**
 * Requests handed to an Express app in-process: real IncomingMessage and ServerResponse objects on a
 * socket that never connects, so neither the network nor a load generator is in what is measured
 * (bench/allocations.ts, bench/layer-micro.ts).
 */
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { Express } from 'express';

type Handle = (req: IncomingMessage, res: ServerResponse, done: (error?: unknown) => void) => void;

/** The app as a server calls it; `done` runs when no route answered. Express's typings omit `handle`. */
export function handleOf(app: Express): Handle {
  return (app as unknown as { handle: Handle }).handle.bind(app);
}

/** A peer as the request log and `req.ip` see it: loopback, as behind the benchmark's proxy. */
function loopbackPeer(): Socket {
  const peer = new Socket();
  Object.defineProperty(peer, 'remoteAddress', { value: '127.0.0.1' });
  return peer;
}

/**
 * A `GET url` with these headers, settled once the app has answered 200 (rejected on any other
 * status, or when no route answered). No socket takes the bytes, so a response never finishes by
 * itself: once it is ended, 'finish' then 'close' are emitted as a server would (the request log
 * writes its line then).
 */
export function inProcessGet(app: Express, url: string, headers: Record<string, string>): () => Promise<void> {
  const handle = handleOf(app);
  const peer = loopbackPeer();
  return () =>
    new Promise<void>((resolve, reject) => {
      const req = new IncomingMessage(peer);
      req.method = 'GET';
      req.url = url;
      req.headers = { ...headers };
      const res = new ServerResponse(req);
      const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
      res.end = ((...args: unknown[]) => {
        end(...args);
        res.emit('finish');
        res.emit('close');
        if (res.statusCode === 200) resolve();
        else reject(new Error(`answered ${res.statusCode}`));
        return res;
      }) as typeof res.end;
      handle(req, res, (error?: unknown) => reject(error instanceof Error ? error : new Error(`no route answered (${String(error)})`)));
    });
}

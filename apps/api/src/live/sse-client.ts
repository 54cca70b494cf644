import { request } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Express } from 'express';
import { LiveEventSchema } from '@gatehouse/types/events';
import type { LiveEvent } from '@gatehouse/types/events';

export interface RawEventStream {
  response: IncomingMessage;
  events: LiveEvent[];
  /** Resolves with the first event of this type (already received or still to come). */
  next(type: LiveEvent['type'], timeoutMs?: number): Promise<LiveEvent>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  raw(): string;
  close(): void;
}

export function listen(app: Express): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        server,
        port,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

/** Reads `GET /api/events` as bytes off a plain HTTP request, the way EventSource would, without one. */
export function openEventStream(port: number, cookie: string | null): Promise<RawEventStream> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/events', headers: { Accept: 'text/event-stream', ...(cookie ? { Cookie: cookie } : {}) } });
    req.on('error', reject);
    req.on('response', (response) => {
      let text = '';
      let buffer = '';
      const events: LiveEvent[] = [];
      const waiters: Array<() => void> = [];
      let markEnded: () => void = () => {};
      const ended = new Promise<void>((done) => {
        markEnded = done;
      });
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        text += chunk;
        buffer += chunk;
        let boundary = buffer.indexOf('\n\n');
        while (boundary >= 0) {
          const block = buffer.slice(0, boundary);
          buffer = buffer.slice(boundary + 2);
          const data = block
            .split('\n')
            .filter((line) => line.startsWith('data: '))
            .map((line) => line.slice(6))
            .join('\n');
          if (data) events.push(LiveEventSchema.parse(JSON.parse(data)));
          boundary = buffer.indexOf('\n\n');
        }
        for (const wake of waiters.splice(0)) wake();
      });
      response.on('end', markEnded);
      response.on('close', markEnded);

      const next = (type: LiveEvent['type'], timeoutMs = 5000) =>
        new Promise<LiveEvent>((found, fail) => {
          const timer = setTimeout(() => fail(new Error(`no ${type} event within ${timeoutMs} ms; got: ${text}`)), timeoutMs);
          const look = () => {
            const event = events.find((candidate) => candidate.type === type);
            if (event) {
              clearTimeout(timer);
              found(event);
            } else waiters.push(look);
          };
          look();
        });

      resolve({ response, events, next, ended, raw: () => text, close: () => req.destroy() });
    });
    req.end();
  });
}

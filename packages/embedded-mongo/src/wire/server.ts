/**
 * TCP server speaking the MongoDB wire protocol. One ConnectionState per socket; messages of a
 * connection are handled in order. A malformed or oversized message closes only that
 * connection (with a log line); no exception escapes a connection handler. Connections past
 * `maxIncomingConnections` are closed on arrival, and a connection that pipelines requests
 * faster than they are answered stops being read until it catches up.
 */
import net from 'node:net';
import type { Document } from 'bson';
import { commandName, errorReply, runCommand } from '../commands/index';
import { checkCommandDepth } from '../limits';
import type { ConnectionState, ServerState } from '../commands/context';
import { FLAG_MORE_TO_COME, MIN_MESSAGE_SIZE, OP_QUERY, ProtocolError, encodeOpMsg, encodeOpReply, parseMessage } from './messages';

let nextConnectionId = 1;

/** `host:port` as drivers write server addresses (IPv6 in brackets). */
export function hostPort(host: string | undefined, port: number | undefined): string {
  const h = host ?? '127.0.0.1';
  return `${h.includes(':') ? `[${h}]` : h}:${port ?? 0}`;
}

/** Parsed-but-unanswered messages a connection may queue before its socket is paused. */
const MAX_QUEUED_MESSAGES = 16;

export class WireServer {
  readonly state: ServerState;
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();

  constructor(state: ServerState) {
    this.state = state;
    this.server = net.createServer((socket) => this.accept(socket));
    this.server.on('error', (e) => state.logger.warn(`server error: ${e.message}`));
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error): void => reject(e);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        const addr = this.server.address();
        resolve(typeof addr === 'object' && addr ? addr.port : port);
      });
    });
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  get connectionCount(): number {
    return this.sockets.size;
  }

  private accept(socket: net.Socket): void {
    if (this.sockets.size >= this.state.maxIncomingConnections) {
      this.state.logger.warn(
        `connection refused from ${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}: ${this.sockets.size} connections open (maxIncomingConnections ${this.state.maxIncomingConnections})`,
      );
      socket.destroy();
      return;
    }
    socket.setNoDelay(true);
    this.sockets.add(socket);
    const lifetime = new AbortController();
    const conn: ConnectionState = {
      id: nextConnectionId++,
      remote: `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? 0}`,
      user: undefined,
      sasl: undefined,
      client: undefined,
      closed: lifetime.signal,
      local: hostPort(socket.localAddress, socket.localPort),
    };
    const chunks: Buffer[] = [];
    let buffered = 0;
    let chain: Promise<void> = Promise.resolve();
    let queued = 0;
    let dead = false;

    const kill = (reason: string): void => {
      if (dead) return;
      dead = true;
      this.state.logger.warn(`closing connection ${conn.id} (${conn.remote}): ${reason}`);
      socket.destroy();
    };

    socket.on('data', (chunk: Buffer) => {
      if (dead) return;
      chunks.push(chunk);
      buffered += chunk.length;
      while (buffered >= 4 && !dead) {
        let head = chunks[0] as Buffer;
        if (head.length < 4) {
          head = Buffer.concat(chunks);
          chunks.length = 0;
          chunks.push(head);
        }
        const len = head.readInt32LE(0);
        if (len < MIN_MESSAGE_SIZE || len > this.state.maxMessageSizeBytes) {
          kill(`invalid message length ${len}`);
          return;
        }
        if (buffered < len) break;
        const all = chunks.length === 1 ? head : Buffer.concat(chunks);
        const msg = all.subarray(0, len);
        const rest = all.subarray(len);
        chunks.length = 0;
        if (rest.length) chunks.push(rest);
        buffered = rest.length;
        queued += 1;
        if (queued >= MAX_QUEUED_MESSAGES) socket.pause();
        chain = chain
          .then(() => this.handle(conn, socket, msg, kill))
          .finally(() => {
            queued -= 1;
            if (queued < MAX_QUEUED_MESSAGES && socket.isPaused() && !dead) socket.resume();
          });
      }
    });
    socket.on('error', () => {
      // connection resets are normal when clients go away
    });
    socket.on('close', () => {
      dead = true;
      this.sockets.delete(socket);
      lifetime.abort();
    });
  }

  private async handle(conn: ConnectionState, socket: net.Socket, msg: Buffer, kill: (reason: string) => void): Promise<void> {
    if (socket.destroyed) return;
    let parsed;
    try {
      parsed = parseMessage(msg);
    } catch (error) {
      kill(error instanceof ProtocolError ? error.message : `unparseable message: ${(error as Error).message}`);
      return;
    }
    let reply: Document;
    try {
      const cmd = parsed.command;
      const db = typeof cmd.$db === 'string' ? cmd.$db : 'admin';
      checkCommandDepth(cmd);
      if (commandName(cmd) === '') reply = errorReply(new ProtocolError('empty command'));
      else reply = await runCommand(cmd, { server: this.state, conn, db });
    } catch (error) {
      reply = errorReply(error);
    }
    if (parsed.opCode !== OP_QUERY && parsed.flags & FLAG_MORE_TO_COME) return;
    if (socket.destroyed) return;
    let out: Buffer;
    try {
      out = parsed.opCode === OP_QUERY ? encodeOpReply(parsed.requestId, reply) : encodeOpMsg(parsed.requestId, reply);
    } catch (error) {
      const err = errorReply(new Error(`reply could not be encoded: ${(error as Error).message}`));
      out = parsed.opCode === OP_QUERY ? encodeOpReply(parsed.requestId, err) : encodeOpMsg(parsed.requestId, err);
    }
    socket.write(out);
  }
}

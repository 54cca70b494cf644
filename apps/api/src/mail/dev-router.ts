import { isIP } from 'node:net';
import { Router } from 'express';
import type { RequestHandler } from 'express';
import { OutboxMessageParamsSchema } from '@gatehouse/types/dev';
import type { OutboxListResponse } from '@gatehouse/types/dev';
import { notFound } from '../http/errors';
import type { DevOutbox } from './outbox';

/** The socket's peer, not `req.ip`: a forwarded header must not make a remote client look local. */
export function isLoopbackPeer(address: string | undefined): boolean {
  if (!address || isIP(address) === 0) return false;
  const ipv4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return ipv4.startsWith('127.') || address === '::1';
}

/**
 * Whether the server listens on this machine only (every configured host is 127.0.0.0/8, ::1 or
 * localhost). The dev outbox holds live links, so a server opened to the network (`HOST=::`) has none.
 */
export function listensOnLoopbackOnly(hosts: readonly string[]): boolean {
  return hosts.length > 0 && hosts.every((host) => host.toLowerCase() === 'localhost' || isLoopbackPeer(host));
}

/**
 * The mail a message sent in the HTML part is shown as a page of its own: scripts, forms and remote
 * content are off; only its inline styles and data: images are allowed.
 */
const MESSAGE_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * Mounted at /api/dev outside production, and only on a server listening on loopback alone (app.ts):
 * the dev outbox, for people trying the app (the /dev/outbox page) and for tests. It holds live links,
 * so it also answers only to loopback peers.
 */
export function createDevRouter({ outbox }: { outbox: DevOutbox }): Router {
  const router = Router();
  const loopbackOnly: RequestHandler = (req, _res, next) => next(isLoopbackPeer(req.socket.remoteAddress) ? undefined : notFound());
  router.use(loopbackOnly);

  router.get('/outbox', async (_req, res) => {
    const body: OutboxListResponse = { messages: (await outbox.list()).map(({ html: _html, ...message }) => message) };
    res.json(body);
  });

  router.get('/outbox/:id', async (req, res) => {
    const { id } = OutboxMessageParamsSchema.parse(req.params);
    const message = await outbox.get(id);
    if (!message) throw notFound();
    res.json(message);
  });

  router.get('/outbox/:id/html', async (req, res) => {
    const { id } = OutboxMessageParamsSchema.parse(req.params);
    const message = await outbox.get(id);
    if (!message) throw notFound();
    res.set('Content-Security-Policy', MESSAGE_PAGE_CSP).type('html').send(message.html);
  });

  return router;
}

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
 * The mail a message sent in the HTML part is shown as a page of its own: scripts, forms and remote
 * content are off; only its inline styles and data: images are allowed.
 */
const MESSAGE_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * Mounted at /api/dev outside production only (app.ts): the dev outbox, for people trying the app
 * (the /dev/outbox page) and for tests. It holds live links, so it answers only on loopback, even
 * when HOST opens the server to the network.
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

import { Router } from 'express';
import type { Request, Response } from 'express';
import type { LiveEvent } from '@gatehouse/types/events';
import type { Config } from '../config';
import { unauthenticated } from '../http/errors';
import type { SessionRegistry } from '../sessions/registry';
import { requireUser, signedInUser } from '../sessions/session-middleware';
import type { LiveBus } from './live-bus';

export const HEARTBEAT_INTERVAL_MS = 15_000;

export interface EventsRouterDeps {
  config: Pick<Config, 'livePollIntervalMs'>;
  registry: Pick<SessionRegistry, 'check' | 'acknowledgeEnded'>;
  /** `live.closeAll()` ends every open stream; server.ts calls it on shutdown. */
  live: LiveBus;
  heartbeatIntervalMs?: number;
}

function formatEvent(event: LiveEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * The stream lives for hours: express-session must neither re-send the cookie nor touch the document
 * when it finally ends (that write could even land after a revocation). Everything needed is read
 * now, and the session is detached from the request so express-session skips this response.
 */
function detachSession(req: Request): { userId: string; sid: string; createdAt: number | undefined } {
  const { userId, sid } = signedInUser(req);
  const { createdAt } = req.session;
  Reflect.deleteProperty(req, 'session');
  return { userId, sid, createdAt };
}

/** Mounted at /api/events. */
export function createEventsRouter({ config, registry, live, heartbeatIntervalMs = HEARTBEAT_INTERVAL_MS }: EventsRouterDeps): Router {
  const router = Router();
  const check = (userId: string, sid: string, createdAt: number | undefined) => registry.check(userId, sid, createdAt);

  router.get('/', requireUser, async (req: Request, res: Response) => {
    const { userId, sid, createdAt } = detachSession(req);
    const first = await check(userId, sid, createdAt);
    if (first.kind !== 'alive') throw unauthenticated();
    let fingerprint = first.fingerprint;
    let isOpen = true;
    let isChecking = false;
    let hasVanishedBefore = false;

    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      // Reverse proxies (nginx) would otherwise buffer the stream.
      'X-Accel-Buffering': 'no',
    });
    res.write('retry: 3000\n\n');

    const send = (event: LiveEvent) => {
      if (isOpen) res.write(formatEvent(event));
    };
    const close = () => {
      if (!isOpen) return;
      isOpen = false;
      clearInterval(heartbeat);
      clearInterval(poll);
      unsubscribe();
      res.end();
    };
    const endSession = (event: LiveEvent) => {
      if (!isOpen) return;
      send(event);
      close();
      // The tab now knows; its one request to clear the cookie is then not a theft signal.
      registry.acknowledgeEnded(sid).catch(() => undefined);
    };

    const unsubscribe = live.subscribe(
      { userId, sid },
      (event) => (event.type === 'session_ended' ? endSession(event) : send(event)),
      { onClose: close },
    );
    const heartbeat = setInterval(() => {
      if (isOpen) res.write(': heartbeat\n\n');
    }, heartbeatIntervalMs);
    const poll = setInterval(() => {
      if (isChecking || !isOpen) return;
      isChecking = true;
      check(userId, sid, createdAt)
        .then((result) => {
          if (result.kind === 'ended') return endSession({ type: 'session_ended', reason: result.reason });
          if (result.kind === 'vanished') {
            // Rotation deletes the old document a moment before it writes the new one: only a second
            // sighting, one interval later, tells an expiry from that gap.
            if (hasVanishedBefore) return endSession({ type: 'session_ended', reason: 'expired' });
            hasVanishedBefore = true;
            return;
          }
          hasVanishedBefore = false;
          // The browser reconnects by itself, carrying the cookie of the rotated id.
          if (result.kind === 'rotated') return close();
          if (result.fingerprint !== fingerprint) {
            fingerprint = result.fingerprint;
            send({ type: 'sessions_changed' });
          }
        })
        // A database hiccup is not a reason to sign the tab out: the next tick tries again.
        .catch(() => undefined)
        .finally(() => {
          isChecking = false;
        });
    }, config.livePollIntervalMs);

    // Fires on client disconnect as well as after our own end().
    res.on('close', close);
  });

  return router;
}

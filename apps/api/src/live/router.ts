import { Router } from 'express';
import type { Request, Response } from 'express';
import type { LiveEvent } from '@gatehouse/types/events';
import type { Config } from '../config';
import { unauthenticated } from '../http/errors';
import type { SessionRegistry, WatchResult } from '../sessions/registry';
import { requireUser, signedInUser } from '../sessions/signed-in';
import type { LiveBus } from './live-bus';

export const HEARTBEAT_INTERVAL_MS = 15_000;

export interface EventsRouterDeps {
  config: Pick<Config, 'livePollIntervalMs'>;
  registry: Pick<SessionRegistry, 'check' | 'acknowledgeEnded' | 'feed'>;
  /** `live.closeAll()` ends every open stream; server.ts calls it on shutdown. */
  live: LiveBus;
  heartbeatIntervalMs?: number;
}

/** setTimeout's longest delay; a later deadline is checked again then. */
const MAX_TIMER_MS = 2_147_483_647;
/** A deadline is checked a moment after it passes, so the read that follows sees it passed. */
const DEADLINE_MARGIN_MS = 50;
/** A rotation's gap (old document deleted, new one and its marker not yet written) lasts milliseconds. */
const VANISHED_CONFIRM_MS = 1000;

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

/**
 * Mounted at /api/events. Changes made on this instance arrive through the live bus at once; changes
 * made anywhere else arrive through the registry's change feed (one change stream per process), which
 * makes the stream re-read where its session stands. While the feed cannot vouch for being current
 * (a standalone MongoDB without change streams, or a stream being resumed) each open stream re-reads
 * on an interval instead.
 */
export function createEventsRouter({ config, registry, live, heartbeatIntervalMs = HEARTBEAT_INTERVAL_MS }: EventsRouterDeps): Router {
  const router = Router();
  const check = (userId: string, sid: string, createdAt: number | undefined) => registry.check(userId, sid, createdAt);
  const confirmMs = Math.min(config.livePollIntervalMs, VANISHED_CONFIRM_MS);

  router.get('/', requireUser, async (req: Request, res: Response) => {
    const { userId, sid, createdAt } = detachSession(req);
    // Opened once per process by the first stream; until it is open the interval below does the work.
    void registry.feed.start();
    const first = await check(userId, sid, createdAt);
    if (first.kind !== 'alive') throw unauthenticated();
    let fingerprint = first.fingerprint;
    let isOpen = true;
    let isChecking = false;
    /** A change arrived while a check was on its way: that check may have read before it, so read again. */
    let isCheckDue = false;
    /** When the session was first found missing without a marker (null: it was there at the last check). */
    let vanishedAt: number | null = null;
    let timer: NodeJS.Timeout | undefined;

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
      clearTimeout(timer);
      unsubscribe();
      unsubscribeFeed();
      res.end();
    };
    const endSession = (event: LiveEvent) => {
      if (!isOpen) return;
      send(event);
      close();
      // The tab now knows; its one request to clear the cookie is then not a theft signal.
      registry.acknowledgeEnded(sid).catch(() => undefined);
    };
    /** The next check by itself: at an idle deadline (nothing is written when a session expires), or after a vanishing. */
    const checkIn = (delayMs: number) => {
      clearTimeout(timer);
      if (isOpen) timer = setTimeout(recheck, Math.max(0, Math.min(delayMs, MAX_TIMER_MS)));
    };

    const apply = (result: WatchResult) => {
      if (result.kind === 'ended') return endSession({ type: 'session_ended', reason: result.reason });
      if (result.kind === 'vanished') {
        // Rotation deletes the old document a moment before it writes the new one (and its marker): only
        // a second sighting, a while later, tells an expiry from that gap.
        const now = Date.now();
        if (vanishedAt !== null && now - vanishedAt >= confirmMs / 2) return endSession({ type: 'session_ended', reason: 'expired' });
        vanishedAt ??= now;
        return checkIn(confirmMs);
      }
      vanishedAt = null;
      // The browser reconnects by itself, carrying the cookie of the rotated id.
      if (result.kind === 'rotated') return close();
      if (result.fingerprint !== fingerprint) {
        fingerprint = result.fingerprint;
        send({ type: 'sessions_changed' });
      }
      // The account's earliest idle deadline: its passing changes the answer without any write.
      checkIn(result.nextDeadline - Date.now() + DEADLINE_MARGIN_MS);
    };

    function recheck(): void {
      if (!isOpen) return;
      if (isChecking) {
        isCheckDue = true;
        return;
      }
      isChecking = true;
      isCheckDue = false;
      check(userId, sid, createdAt)
        .then(apply)
        // A database hiccup is not a reason to sign the tab out: the next change or tick tries again.
        .catch(() => undefined)
        .finally(() => {
          isChecking = false;
          if (isCheckDue) recheck();
        });
    }

    const unsubscribe = live.subscribe({ userId, sid }, (event) => (event.type === 'session_ended' ? endSession(event) : send(event)), { onClose: close });
    // Any change to this session or the account's others, by any instance.
    const unsubscribeFeed = registry.feed.subscribe({ userId, sid }, recheck);
    const heartbeat = setInterval(() => {
      if (isOpen) res.write(': heartbeat\n\n');
    }, heartbeatIntervalMs);
    const poll = setInterval(() => {
      if (!registry.feed.isCurrent()) recheck();
    }, config.livePollIntervalMs);
    apply(first);

    // Fires on client disconnect as well as after our own end().
    res.on('close', close);
  });

  return router;
}

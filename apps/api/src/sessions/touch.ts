import type { Request, Response } from 'express';
import type { GatehouseSessionStore } from './store';

/**
 * After the response, moves the idle deadline of the session the request came with, as express-session's
 * touch would have (the store has none, see store.ts): only if it is still this request's session (not
 * ended, regenerated, or detached by a live stream) and touchAfter has passed since it was last written.
 */
export function touchAfterResponse(req: Request, res: Response, store: GatehouseSessionStore): void {
  const { session: loaded, sessionID: sid } = req;
  if (!store.isTouchDue(loaded)) return;
  res.once('finish', () => {
    if (req.session !== loaded || req.sessionID !== sid) return;
    // A failed touch costs the next request nothing but another try.
    store.touchIfDue(sid, loaded).catch(() => undefined);
  });
}

import type { LiveEvent } from '@gatehouse/types/events';

export type SessionEndReason = Extract<LiveEvent, { type: 'session_ended' }>['reason'];

/**
 * Whether this tab's session has ended under it (revoked elsewhere, expired, password changed).
 * Lives outside React because the query cache reports 401s from outside any component.
 */
export interface SessionStatus {
  getEndReason(): SessionEndReason | null;
  subscribe(listener: () => void): () => void;
  end(reason: SessionEndReason): void;
  /** This tab is signing out on purpose: the server's "session ended" echo is not news. */
  beginSignOut(): void;
  reset(): void;
  /**
   * Runs a request that replaces the session id (re-authentication, password change). The old id
   * dies on the server meanwhile, so "ended" signals arriving during it are held, and dropped if
   * the request succeeds.
   */
  whileRotating<T>(request: () => Promise<T>): Promise<T>;
  /**
   * Resolves once no such request is on its way, i.e. once the browser holds the cookie with the
   * current id. A request sent before that would carry an id the server has already retired.
   */
  whenNotRotating(): Promise<void>;
  /** Called after a successful rotation, e.g. to reopen the live stream with the new cookie. */
  onRotated(listener: () => void): () => void;
}

export function createSessionStatus(): SessionStatus {
  let endReason: SessionEndReason | null = null;
  let isSigningOut = false;
  let pendingRotations = 0;
  let heldReason: SessionEndReason | null = null;
  const listeners = new Set<() => void>();
  const rotationListeners = new Set<() => void>();
  let rotationWaiters: Array<() => void> = [];

  const notify = () => listeners.forEach((listener) => listener());

  const end = (reason: SessionEndReason) => {
    if (isSigningOut || endReason !== null) return;
    if (pendingRotations > 0) {
      heldReason = reason;
      return;
    }
    endReason = reason;
    notify();
  };

  return {
    getEndReason: () => endReason,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    end,
    beginSignOut() {
      isSigningOut = true;
    },
    reset() {
      endReason = null;
      isSigningOut = false;
      heldReason = null;
      notify();
    },
    async whileRotating(request) {
      pendingRotations += 1;
      let succeeded = false;
      try {
        const result = await request();
        succeeded = true;
        return result;
      } finally {
        pendingRotations -= 1;
        if (pendingRotations === 0) {
          const waiters = rotationWaiters;
          rotationWaiters = [];
          waiters.forEach((resolve) => resolve());
        }
        if (succeeded) {
          heldReason = null;
          rotationListeners.forEach((listener) => listener());
        } else if (pendingRotations === 0 && heldReason !== null) {
          const reason = heldReason;
          heldReason = null;
          end(reason);
        }
      }
    },
    whenNotRotating() {
      return pendingRotations === 0 ? Promise.resolve() : new Promise((resolve) => rotationWaiters.push(resolve));
    },
    onRotated(listener) {
      rotationListeners.add(listener);
      return () => rotationListeners.delete(listener);
    },
  };
}

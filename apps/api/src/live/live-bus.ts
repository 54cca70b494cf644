import type { LiveEvent } from '@gatehouse/types/events';

export type LiveListener = (event: LiveEvent) => void;

export interface LiveSubscription {
  userId: string;
  sid: string;
  listener: LiveListener;
  /** Called when the process asks every open stream to finish (graceful shutdown). */
  onClose?: () => void;
}

export interface LiveBus {
  publishToUser(userId: string, event: LiveEvent): void;
  publishToSession(sid: string, event: LiveEvent): void;
  subscribe(target: { userId: string; sid: string }, listener: LiveListener, options?: { onClose?: () => void }): () => void;
  /** Ends every open stream: long-lived SSE responses would otherwise keep `server.close()` waiting forever. */
  closeAll(): void;
  subscriberCount(): number;
}

/**
 * In-process only, by design: it makes events immediate on the instance that caused them. Other
 * instances learn the same facts from the database, through the registry's change feed (router.ts).
 */
export function createLiveBus(): LiveBus {
  const subscriptions = new Set<LiveSubscription>();

  function deliver(matches: (subscription: LiveSubscription) => boolean, event: LiveEvent): void {
    for (const subscription of [...subscriptions]) {
      if (matches(subscription)) subscription.listener(event);
    }
  }

  return {
    publishToUser(userId, event) {
      deliver((subscription) => subscription.userId === userId, event);
    },
    publishToSession(sid, event) {
      deliver((subscription) => subscription.sid === sid, event);
    },
    subscribe(target, listener, options = {}) {
      const subscription: LiveSubscription = { ...target, listener, onClose: options.onClose };
      subscriptions.add(subscription);
      return () => {
        subscriptions.delete(subscription);
      };
    },
    closeAll() {
      for (const subscription of [...subscriptions]) {
        subscriptions.delete(subscription);
        subscription.onClose?.();
      }
    },
    subscriberCount() {
      return subscriptions.size;
    },
  };
}

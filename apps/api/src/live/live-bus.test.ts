import { describe, expect, it } from 'vitest';
import type { LiveEvent } from '@gatehouse/types/events';
import { createLiveBus } from './live-bus';

describe('live bus', () => {
  it("delivers user events to every stream of that user and session events only to that session's stream", () => {
    const bus = createLiveBus();
    const received: Record<string, LiveEvent[]> = { a1: [], a2: [], b1: [] };
    bus.subscribe({ userId: 'a', sid: 'a1' }, (event) => received.a1?.push(event));
    bus.subscribe({ userId: 'a', sid: 'a2' }, (event) => received.a2?.push(event));
    bus.subscribe({ userId: 'b', sid: 'b1' }, (event) => received.b1?.push(event));

    bus.publishToUser('a', { type: 'sessions_changed' });
    bus.publishToSession('a2', { type: 'session_ended', reason: 'revoked' });

    expect(received.a1).toEqual([{ type: 'sessions_changed' }]);
    expect(received.a2).toEqual([{ type: 'sessions_changed' }, { type: 'session_ended', reason: 'revoked' }]);
    expect(received.b1).toEqual([]);
  });

  it('stops delivering after unsubscribe', () => {
    const bus = createLiveBus();
    const received: LiveEvent[] = [];
    const unsubscribe = bus.subscribe({ userId: 'a', sid: 's' }, (event) => received.push(event));
    unsubscribe();
    bus.publishToUser('a', { type: 'activity' });
    expect(received).toEqual([]);
    expect(bus.subscriberCount()).toBe(0);
  });

  it('closeAll asks every open stream to finish and forgets them', () => {
    const bus = createLiveBus();
    let closed = 0;
    bus.subscribe({ userId: 'a', sid: 's1' }, () => {}, { onClose: () => (closed += 1) });
    bus.subscribe({ userId: 'b', sid: 's2' }, () => {}, { onClose: () => (closed += 1) });
    bus.closeAll();
    expect(closed).toBe(2);
    expect(bus.subscriberCount()).toBe(0);
  });
});

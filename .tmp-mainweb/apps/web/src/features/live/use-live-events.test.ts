import { describe, expect, it } from 'vitest';
import { parseLiveEvent } from './use-live-events';

const message = (data: unknown) => new MessageEvent('message', { data: typeof data === 'string' ? data : JSON.stringify(data) });

describe('parseLiveEvent', () => {
  it('reads every message type of the live stream contract', () => {
    expect(parseLiveEvent(message({ type: 'sessions_changed' }))).toEqual({ type: 'sessions_changed' });
    expect(parseLiveEvent(message({ type: 'activity' }))).toEqual({ type: 'activity' });
    expect(parseLiveEvent(message({ type: 'session_ended', reason: 'password_changed' }))).toEqual({
      type: 'session_ended',
      reason: 'password_changed',
    });
  });

  it('ignores what it cannot act on instead of guessing', () => {
    expect(parseLiveEvent(message('not json'))).toBeNull();
    expect(parseLiveEvent(message({ type: 'unknown' }))).toBeNull();
    expect(parseLiveEvent(message({ type: 'session_ended' }))).toBeNull();
    expect(parseLiveEvent(message({ type: 'session_ended', reason: 'toString' }))).toBeNull();
    expect(parseLiveEvent(new MessageEvent('message', { data: 42 }))).toBeNull();
  });
});

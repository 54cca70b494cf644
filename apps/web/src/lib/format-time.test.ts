import { describe, expect, it } from 'vitest';
import { formatApproximateDuration, formatPrecise, formatRelative, formatTimeLeft, roundDuration } from './format-time';
import { formatDuration } from './format-duration';

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;
const now = Date.parse('2026-01-01T12:00:00Z');
const at = (secondsFromNow: number) => new Date(now + secondsFromNow * 1000).toISOString();

describe('formatTimeLeft', () => {
  it('says how long is left in words, never to the second', () => {
    expect(formatTimeLeft(30 * MINUTE * 1000)).toBe('about 30 minutes left');
    expect(formatTimeLeft((29 * MINUTE + 59) * 1000)).toBe('about 30 minutes left');
    expect(formatTimeLeft((29 * DAY + 23 * HOUR + 59 * MINUTE + 59) * 1000)).toBe('about 30 days left');
    expect(formatTimeLeft(5 * HOUR * 1000)).toBe('about 5 hours left');
  });

  it('says "less than a minute" rather than counting seconds, and "expired" once the deadline has passed', () => {
    expect(formatTimeLeft(20_000)).toBe('less than a minute left');
    expect(formatTimeLeft(0)).toBe('expired');
    expect(formatTimeLeft(-5_000)).toBe('expired');
  });

  it('uses one unit only and moves to the next one instead of saying 60 minutes or 24 hours', () => {
    expect(formatTimeLeft((59 * MINUTE + 40) * 1000)).toBe('about 1 hour left');
    expect(formatTimeLeft((23 * HOUR + 40 * MINUTE) * 1000)).toBe('about 1 day left');
    expect(formatTimeLeft(MINUTE * 1000)).toBe('about 1 minute left');
  });
});

describe('roundDuration', () => {
  it('keeps days up to a few weeks, then months and years', () => {
    expect(roundDuration(44 * DAY)).toEqual({ amount: 44, unit: 'day' });
    expect(roundDuration(60 * DAY)).toEqual({ amount: 2, unit: 'month' });
    expect(roundDuration(400 * DAY)).toEqual({ amount: 1, unit: 'year' });
    expect(roundDuration(-3 * HOUR)).toEqual({ amount: 3, unit: 'hour' });
    expect(roundDuration(29)).toBeNull();
  });
});

describe('formatApproximateDuration', () => {
  it('is what a wait is described with', () => {
    expect(formatApproximateDuration(HOUR)).toBe('about 1 hour');
    expect(formatApproximateDuration(15 * MINUTE)).toBe('about 15 minutes');
    expect(formatApproximateDuration(10)).toBe('less than a minute');
  });
});

describe('formatRelative', () => {
  it('describes past and future moments in words', () => {
    expect(formatRelative(at(-2 * MINUTE), now)).toBe('2 minutes ago');
    expect(formatRelative(at(3 * DAY), now)).toBe('in 3 days');
    expect(formatRelative(at(29 * DAY + 23 * HOUR), now)).toBe('in 30 days');
    expect(formatRelative(at(-DAY), now)).toBe('yesterday');
  });

  it('says "just now" for the last half minute instead of counting seconds', () => {
    expect(formatRelative(at(-10), now)).toBe('just now');
    expect(formatRelative(at(0), now)).toBe('just now');
    expect(formatRelative(at(10), now)).toBe('in less than a minute');
  });

  it('moves to the next unit instead of saying "60 seconds ago"', () => {
    expect(formatRelative(at(-59.6), now)).toBe('1 minute ago');
  });
});

describe('formatDuration', () => {
  it('names configured timeouts exactly, in the largest whole unit', () => {
    expect(formatDuration(1800)).toBe('30 minutes');
    expect(formatDuration(30 * DAY)).toBe('30 days');
    expect(formatDuration(HOUR)).toBe('1 hour');
    expect(formatDuration(90)).toBe('90 seconds');
    expect(formatDuration(1)).toBe('1 second');
  });
});

describe('formatPrecise', () => {
  it('gives the date and the time to the second', () => {
    const precise = formatPrecise('2026-03-04T05:06:07Z');
    expect(precise).toMatch(/2026/);
    expect(precise).toMatch(/\d{1,2}:\d{2}:\d{2}/);
  });
});

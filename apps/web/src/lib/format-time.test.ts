import { describe, expect, it } from 'vitest';
import { formatCountdown, formatDuration, formatRelative } from './format-time';

describe('formatCountdown', () => {
  it('shows minutes and seconds under an hour', () => {
    expect(formatCountdown(4 * 60_000 + 5_000)).toBe('4:05');
    expect(formatCountdown(59_000)).toBe('0:59');
  });

  it('rounds a partial second up so the countdown never shows 0:00 before the deadline', () => {
    expect(formatCountdown(1)).toBe('0:01');
    expect(formatCountdown(1_400)).toBe('0:02');
  });

  it('adds hours, then days, always keeping the seconds', () => {
    expect(formatCountdown((2 * 3600 + 4 * 60 + 5) * 1000)).toBe('2:04:05');
    expect(formatCountdown((3 * 86_400 + 2 * 3600 + 4 * 60 + 5) * 1000)).toBe('3 d 02:04:05');
  });

  it('says Expired once the deadline has passed', () => {
    expect(formatCountdown(0)).toBe('Expired');
    expect(formatCountdown(-5_000)).toBe('Expired');
  });
});

describe('formatDuration', () => {
  it('names configured timeouts in the largest whole unit', () => {
    expect(formatDuration(1800)).toBe('30 minutes');
    expect(formatDuration(30 * 86_400)).toBe('30 days');
    expect(formatDuration(3600)).toBe('1 hour');
    expect(formatDuration(90)).toBe('90 seconds');
  });
});

describe('formatRelative', () => {
  it('describes past and future moments', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(formatRelative('2026-01-01T11:58:00Z', now)).toMatch(/2 minutes ago/);
    expect(formatRelative('2026-01-04T12:00:00Z', now)).toMatch(/in 3 days/);
  });

  it('moves to the next unit instead of saying "60 seconds ago"', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(formatRelative('2026-01-01T11:59:00.400Z', now)).toMatch(/1 minute ago/);
  });
});

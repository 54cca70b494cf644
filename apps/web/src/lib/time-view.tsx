import { formatCompactDateTime, formatCountdown, formatDateTime, formatRelative } from './format-time';

export function DateTime({ value, isCompact = false }: { value: string; isCompact?: boolean }) {
  return (
    <time dateTime={value} title={isCompact ? formatDateTime(value) : undefined}>
      {isCompact ? formatCompactDateTime(value) : formatDateTime(value)}
    </time>
  );
}

/** A past moment, "3 minutes ago". A clock that ticks slowly never makes it sound like the future. */
export function RelativeTime({ value, now }: { value: string; now: number }) {
  return (
    <time dateTime={value} title={formatDateTime(value)}>
      {formatRelative(value, Math.max(now, Date.parse(value)))}
    </time>
  );
}

/** A deadline with its live countdown; the countdown is not announced on every tick. */
export function Deadline({ value, now, isCompact = false }: { value: string; now: number; isCompact?: boolean }) {
  const countdown = formatCountdown(Date.parse(value) - now);
  return (
    <>
      <DateTime value={value} isCompact={isCompact} />{' '}
      <span className="countdown">{countdown === 'Expired' ? '(expired)' : `(${countdown} left)`}</span>
    </>
  );
}

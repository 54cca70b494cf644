const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const compactDateTimeFormat = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit' });
const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

export function formatDateTime(iso: string): string {
  return dateTimeFormat.format(new Date(iso));
}

/** Without the year, for dense tables. */
export function formatCompactDateTime(iso: string): string {
  return compactDateTimeFormat.format(new Date(iso));
}

const RELATIVE_STEPS: ReadonlyArray<[Intl.RelativeTimeFormatUnit, number]> = [
  ['second', 60],
  ['minute', 60],
  ['hour', 24],
  ['day', 30],
  ['month', 12],
  ['year', Number.POSITIVE_INFINITY],
];

/** "2 minutes ago", "in 3 days": coarse on purpose, for times people skim. */
export function formatRelative(iso: string, now: number): string {
  let amount = (Date.parse(iso) - now) / 1000;
  for (const [unit, size] of RELATIVE_STEPS) {
    if (Math.abs(Math.round(amount)) < size) return relativeFormat.format(Math.round(amount), unit);
    amount /= size;
  }
  return relativeFormat.format(Math.round(amount), 'year');
}

const pad = (value: number) => String(value).padStart(2, '0');

/**
 * Time left until a deadline, to the second: "4:05", "2:04:05", "3 d 02:04:05".
 * Seconds are always shown so a ticking countdown visibly moves, even weeks ahead.
 */
export function formatCountdown(remainingMs: number): string {
  if (remainingMs <= 0) return 'Expired';
  const totalSeconds = Math.ceil(remainingMs / 1000);
  const days = Math.floor(totalSeconds / 86_400);
  const hours = Math.floor((totalSeconds % 86_400) / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  if (days > 0) return `${days} d ${pad(hours)}:${pad(minutes)}:${pad(seconds)}`;
  if (hours > 0) return `${hours}:${pad(minutes)}:${pad(seconds)}`;
  return `${minutes}:${pad(seconds)}`;
}

/** A configured duration in words: "30 minutes", "30 days", "90 seconds". */
export function formatDuration(totalSeconds: number): string {
  const units: ReadonlyArray<[string, number]> = [
    ['day', 86_400],
    ['hour', 3600],
    ['minute', 60],
  ];
  for (const [unit, size] of units) {
    if (totalSeconds >= size && totalSeconds % size === 0) {
      const amount = totalSeconds / size;
      return `${amount} ${unit}${amount === 1 ? '' : 's'}`;
    }
  }
  return `${totalSeconds} second${totalSeconds === 1 ? '' : 's'}`;
}

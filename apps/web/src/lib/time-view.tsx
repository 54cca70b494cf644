import { formatPrecise, formatRelative, formatTimeLeft } from './format-time';

/*
 * Times are shown in words; the precise date and time is the element's title (hover, and the
 * description screen readers announce) and appears beside it on keyboard focus or a tap
 * (app.css, `time[data-precise]`). None of them ticks by the second.
 */

function PreciseTime({ value, children }: { value: string; children: string }) {
  const precise = formatPrecise(value);
  return (
    <time dateTime={value} title={precise} data-precise={precise} tabIndex={0}>
      {children}
    </time>
  );
}

/**
 * "3 minutes ago", "in 29 days". `isPast`: a moment known to be behind us, so a clock read slightly
 * early never makes it sound like the future.
 */
export function RelativeTime({ value, now, isPast = false }: { value: string; now: number; isPast?: boolean }) {
  return <PreciseTime value={value}>{formatRelative(value, isPast ? Math.max(now, Date.parse(value)) : now)}</PreciseTime>;
}

/** "about 30 minutes left", "expired". */
export function TimeLeft({ value, now }: { value: string; now: number }) {
  return <PreciseTime value={value}>{formatTimeLeft(Date.parse(value) - now)}</PreciseTime>;
}

/** A date and time written out, for records that are read rather than skimmed. */
export function DateTime({ value }: { value: string }) {
  return <time dateTime={value}>{formatPrecise(value)}</time>;
}

import { locale } from '../messages/intl';
import { timeMessages } from '../messages/time';

export type Unit = 'second' | 'minute' | 'hour' | 'day' | 'month' | 'year';

const preciseFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'medium' });
const relativeFormat = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
const unitFormats = new Map<Unit, Intl.NumberFormat>();

/** "30 minutes": a number with its unit written out, in the reader's locale. */
export function formatAmount(amount: number, unit: Unit): string {
  let format = unitFormats.get(unit);
  if (!format) {
    format = new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' });
    unitFormats.set(unit, format);
  }
  return format.format(amount);
}

/** The full date and time, to the second: what a coarse phrase shows on hover and focus. */
export function formatPrecise(iso: string): string {
  return preciseFormat.format(new Date(iso));
}

export const DAY_SECONDS = 86_400;

/**
 * A length of time rounded in the largest unit that still reads naturally. Each step rounds the
 * original length, so 59.6 minutes is "1 hour", never "60 minutes". `null` under half a minute.
 */
export function roundDuration(seconds: number): { amount: number; unit: Unit } | null {
  const length = Math.abs(seconds);
  const minutes = Math.round(length / 60);
  if (minutes < 1) return null;
  if (minutes < 60) return { amount: minutes, unit: 'minute' };
  const hours = Math.round(length / 3600);
  if (hours < 24) return { amount: hours, unit: 'hour' };
  const days = Math.round(length / DAY_SECONDS);
  // Sessions last weeks: "in 30 days" says more than "in 1 month".
  if (days < 45) return { amount: days, unit: 'day' };
  const months = Math.round(length / (DAY_SECONDS * 30.44));
  if (months < 12) return { amount: months, unit: 'month' };
  return { amount: Math.round(length / (DAY_SECONDS * 365.25)), unit: 'year' };
}

/** "2 minutes ago", "in 29 days", "yesterday": coarse on purpose, for times people skim. */
export function formatRelative(iso: string, now: number): string {
  const seconds = (Date.parse(iso) - now) / 1000;
  const rounded = roundDuration(seconds);
  if (!rounded) return seconds > 0 ? timeMessages.inUnderAMinute : timeMessages.justNow;
  return relativeFormat.format(Math.sign(seconds) * rounded.amount, rounded.unit);
}

/** "about 30 minutes", "less than a minute". */
export function formatApproximateDuration(seconds: number): string {
  const rounded = roundDuration(seconds);
  return rounded ? timeMessages.about(formatAmount(rounded.amount, rounded.unit)) : timeMessages.underAMinute;
}

/** Until a deadline: "about 30 minutes left", "expired". */
export function formatTimeLeft(remainingMs: number): string {
  return remainingMs > 0 ? timeMessages.left(formatApproximateDuration(remainingMs / 1000)) : timeMessages.expired;
}

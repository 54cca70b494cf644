import { DAY_SECONDS, formatAmount, type Unit } from './format-time';

/** A configured duration, exactly, in its largest whole unit: "30 minutes", "30 days", "90 seconds". */
export function formatDuration(totalSeconds: number): string {
  const units: ReadonlyArray<[Unit, number]> = [
    ['day', DAY_SECONDS],
    ['hour', 3600],
    ['minute', 60],
  ];
  for (const [unit, size] of units) {
    if (totalSeconds >= size && totalSeconds % size === 0) return formatAmount(totalSeconds / size, unit);
  }
  return formatAmount(totalSeconds, 'second');
}

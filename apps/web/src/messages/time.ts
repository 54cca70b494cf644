/** Phrases around dates and durations; the numbers and units themselves come from `Intl`. */
export const timeMessages = {
  justNow: 'just now',
  inUnderAMinute: 'in less than a minute',
  underAMinute: 'less than a minute',
  about: (duration: string) => `about ${duration}`,
  left: (duration: string) => `${duration} left`,
  expired: 'expired',
} as const;

import { useEffect, useState } from 'react';

/**
 * The current time, refreshed every `intervalMs`. Times are shown in words ("about 30 minutes
 * left"), so twice a minute is enough; only components that show a clock should use it.
 */
export function useNow(intervalMs = 30_000): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

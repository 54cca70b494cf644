const MIN_WARNING_MS = 5 * 60_000;
const WARNING_SHARE = 0.2;

/** "Stay signed in" is offered once the idle deadline is within 5 minutes or 20 % of the idle timeout. */
export function shouldOfferStaySignedIn(idleRemainingMs: number, idleTimeoutSeconds: number): boolean {
  const warningMs = Math.max(MIN_WARNING_MS, idleTimeoutSeconds * 1000 * WARNING_SHARE);
  return idleRemainingMs > 0 && idleRemainingMs <= warningMs;
}

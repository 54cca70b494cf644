import { z } from 'zod';

/**
 * Device Bound Session Credentials (W3C webappsec-dbsc): what the registration and refresh endpoints
 * answer the browser, in the spec's own field names. The browser, not the app, reads them.
 */
export const DeviceSessionInstructionsSchema = z.object({
  /** The binding's id, which the browser sends back in `Sec-Secure-Session-Id` when it refreshes. */
  session_identifier: z.string(),
  refresh_url: z.string(),
  scope: z.object({
    include_site: z.boolean(),
    scope_specification: z.array(z.object({ type: z.enum(['include', 'exclude']), domain: z.string(), path: z.string() })),
  }),
  /** The short-lived bound cookie the browser keeps renewing, with the attributes it is set with. */
  credentials: z.array(z.object({ type: z.literal('cookie'), name: z.string(), attributes: z.string() })),
});
export type DeviceSessionInstructions = z.infer<typeof DeviceSessionInstructionsSchema>;

/** The answer that ends the browser's bound session: the session it belonged to is gone, or the proof was not its key's. */
export const DeviceSessionEndSchema = z.object({ session_identifier: z.string(), continue: z.literal(false) });
export type DeviceSessionEnd = z.infer<typeof DeviceSessionEndSchema>;

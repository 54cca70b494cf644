import { z } from 'zod';
import { SessionEndReasonSchema } from './sessions';

/**
 * Messages on the live stream (`GET /api/events`, Server-Sent Events). Each SSE `event:` name is
 * the `type`, and `data:` is the JSON of the whole message.
 */
export const LiveEventSchema = z.discriminatedUnion('type', [
  /** The account's set of sessions changed (sign-in elsewhere, revocation): refetch the list. */
  z.object({ type: z.literal('sessions_changed') }),
  /** New activity was recorded for the account. */
  z.object({ type: z.literal('activity') }),
  /** This very session ended; the tab must show the signed-out screen. */
  z.object({ type: z.literal('session_ended'), reason: SessionEndReasonSchema }),
]);
export type LiveEvent = z.infer<typeof LiveEventSchema>;

import { z } from 'zod';

/**
 * Development and tests only (404 in production): the mail the server "sent", kept in its data
 * directory instead of (or as well as) going out over SMTP.
 */
export const OutboxMessageSchema = z.object({
  id: z.string(),
  to: z.string(),
  subject: z.string(),
  /** The plain-text part; links in it are absolute URLs of the app. */
  text: z.string(),
  createdAt: z.iso.datetime(),
});
export type OutboxMessage = z.infer<typeof OutboxMessageSchema>;

export const OutboxListResponseSchema = z.object({ messages: z.array(OutboxMessageSchema) });
export type OutboxListResponse = z.infer<typeof OutboxListResponseSchema>;

export const OutboxMessageParamsSchema = z.object({ id: z.string().regex(/^[a-f0-9]{24}$/) });

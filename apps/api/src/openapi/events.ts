import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { LiveEventSchema } from '@gatehouse/types/events';
import { addOperation } from './operations';

/** Listed among the components: the stream's `data:` lines are these, one JSON object per event. */
export const LiveEvent = LiveEventSchema.meta({ id: 'LiveEvent' });

/** live/router.ts. */
export function describeEvents(api: OpenAPIRegistry): void {
  addOperation(api, {
    method: 'get',
    path: '/api/events',
    tags: ['Live events'],
    summary: 'Live stream of session changes (Server-Sent Events)',
    description: [
      'Stays open. Each message has an `event:` line naming its type and a `data:` line with the JSON of a `LiveEvent`',
      '(`sessions_changed`, `activity`, `session_ended`); a comment line every 15 s keeps proxies from closing it.',
      'After `session_ended` the server closes the stream: this session is over, on every instance.',
      'When the session moves to a new id (re-authentication) the stream closes and the browser reconnects with the new cookie.',
    ].join(' '),
    access: 'signed-in',
    responses: {
      200: {
        description: 'The event stream.',
        content: { 'text/event-stream': { schema: { type: 'string', description: 'Server-Sent Events; each `data:` is a LiveEvent (see components).' } } },
      },
    },
  });
}

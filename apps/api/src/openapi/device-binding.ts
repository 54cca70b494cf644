import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { DeviceSessionEndSchema, DeviceSessionInstructionsSchema } from '@gatehouse/types/device-binding';
import { z } from 'zod';
import { addOperation, json } from './operations';

const DeviceSessionInstructions = DeviceSessionInstructionsSchema.meta({ id: 'DeviceSessionInstructions' });
const DeviceSessionEnd = DeviceSessionEndSchema.meta({ id: 'DeviceSessionEnd' });
const Instructions = z.union([DeviceSessionInstructions, DeviceSessionEnd]);

const PROOF = z.string().meta({ description: 'A compact JWS (ES256, `typ: dbsc+jwt`) whose `jti` is the challenge answered.' });

/** device-binding/device-binding.ts: what a browser with Device Bound Session Credentials calls by itself. */
export function describeDeviceBinding(api: OpenAPIRegistry): void {
  addOperation(api, {
    method: 'post',
    path: '/api/auth/device-binding/registration',
    tags: ['Device binding'],
    summary: 'Bind this session to a device key',
    description:
      'Called by the browser after a response that started a session offered it (`Secure-Session-Registration`). The proof carries the public key in its header and answers the offered challenge (5 minutes, this session only); a session is bound once. Sets the bound cookie. Takes no body.',
    access: 'signed-in',
    request: { headers: z.object({ 'secure-session-response': PROOF }) },
    responses: { 200: json('The session instructions; the bound cookie is set.', DeviceSessionInstructions) },
    errors: { 400: ['invalid_device_proof'] },
  });
  addOperation(api, {
    method: 'post',
    path: '/api/auth/device-binding/refresh',
    tags: ['Device binding'],
    summary: 'Renew the bound cookie',
    description:
      'Without a proof: 403 with a challenge in `Secure-Session-Challenge`. With a proof signed by the bound key: a new bound cookie. For a session that ended, or a proof by another key: `continue: false`, and the browser drops the binding. Takes no body.',
    access: 'public',
    request: {
      headers: z.object({
        'sec-secure-session-id': z.string().meta({ description: 'The binding, as `session_identifier` named it.' }),
        'secure-session-response': PROOF.optional(),
      }),
    },
    responses: {
      200: json('New bound cookie set (instructions), or the binding ended (`continue: false`).', Instructions),
      403: {
        description: 'Sign this challenge.',
        headers: { 'Secure-Session-Challenge': { description: '`"<challenge>";id="<session_identifier>"`', schema: { type: 'string' } } },
      },
    },
  });
}

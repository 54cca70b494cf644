import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { HealthResponseSchema, ReadyResponseSchema } from '@gatehouse/types/health';
import { addOperation, json } from './operations';

const HealthResponse = HealthResponseSchema.meta({ id: 'HealthResponse' });
const ReadyResponse = ReadyResponseSchema.meta({ id: 'ReadyResponse' });

/** http/health.ts: the probes a load balancer or orchestrator calls. */
export function describeHealth(api: OpenAPIRegistry): void {
  addOperation(api, {
    method: 'get',
    path: '/api/health',
    tags: ['Health'],
    summary: 'Liveness',
    description: 'The process answers. Says nothing about the database on purpose, so a database outage does not get the process restarted.',
    access: 'public',
    needsDatabase: false,
    responses: { 200: json('Alive.', HealthResponse) },
  });
  addOperation(api, {
    method: 'get',
    path: '/api/ready',
    tags: ['Health'],
    summary: 'Readiness',
    description: 'Ready to take traffic: the database answers and the process is not shutting down.',
    access: 'public',
    needsDatabase: false,
    responses: {
      200: json('Ready.', ReadyResponse),
      503: json('Not ready (database down, still starting, or shutting down); `Retry-After` says when to look again.', ReadyResponse, {
        headers: { 'Retry-After': { description: 'Seconds to wait before asking again.', schema: { type: 'integer' } } },
      }),
    },
  });
}

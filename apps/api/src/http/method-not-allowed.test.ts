import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBodySchema } from '@gatehouse/types/errors';
import { createTestApp } from '../test/test-app';
import type { TestApp } from '../test/test-app';
import { register } from '../test/sign-in';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

describe('a known path with a method it does not take', () => {
  it('answers 405 with Allow and the usual error body', async () => {
    const res = await supertest(t.app).get('/api/auth/logout');
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('POST');
    expect(ErrorBodySchema.parse(res.body).error.code).toBe('method_not_allowed');
    expect(res.body.error.message).toContain('POST');
  });

  it('lists HEAD with GET, and every method of a path with parameters', async () => {
    const me = await supertest(t.app).delete('/api/auth/me');
    expect(me.status).toBe(405);
    expect(me.headers.allow).toBe('GET, HEAD');
    const agent = t.agent();
    await register(agent);
    const handle = (await agent.get('/api/sessions')).body.sessions[0].handle as string;
    const put = await agent.put(`/api/sessions/${handle}`).send({ deviceName: 'x' });
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe('DELETE, PATCH');
  });

  it('does not apply to paths the app does not have: those stay 404', async () => {
    const res = await supertest(t.app).post('/api/auth/nowhere');
    expect(res.status).toBe(404);
    expect(res.headers.allow).toBeUndefined();
    expect(ErrorBodySchema.parse(res.body).error.code).toBe('not_found');
  });

  it('comes after the guards: an anonymous caller of a signed-in path still gets 401', async () => {
    const res = await supertest(t.app).put('/api/sessions/current');
    expect(res.status).toBe(401);
  });
});

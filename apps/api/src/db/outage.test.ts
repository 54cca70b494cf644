import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import supertest from 'supertest';
import { describe, expect, it } from 'vitest';
import { start } from '@gatehouse/embedded-mongo';
import { createTestApp } from '../test/test-app';
import { cookieHeader, issuedCookie } from '../test/cookies';
import { register } from '../test/sign-in';

describe('database outage', () => {
  it(
    'R2: losing the database mid-run gives quick 503 + Retry-After (not 401, not 500); the same cookie works once it is back',
    { timeout: 60_000 },
    async () => {
      const dbPath = mkdtempSync(join(tmpdir(), 'gatehouse-outage-'));
      let engine = await start({ dbPath });
      const { port } = engine;
      const t = await createTestApp({ mongoUri: engine.uri, dbTimeoutMs: 500, keepDatabase: true });
      try {
        const agent = t.agent();
        await register(agent);
        const cookie = issuedCookie(await agent.post('/api/auth/reauth').send({ password: 'correct horse battery staple' }));
        const me = () => supertest(t.app).get('/api/auth/me').set('Cookie', cookieHeader(cookie));
        expect((await me()).status).toBe(200);

        await engine.stop();
        for (const request of [me(), supertest(t.app).post('/api/auth/login').send({ email: 'a@example.com', password: 'whatever it is' })]) {
          const started = performance.now();
          const res = await request;
          expect(res.status).toBe(503);
          expect(res.headers['retry-after']).toBe('5');
          expect(res.body.error.code).toBe('service_unavailable');
          expect(performance.now() - started).toBeLessThan(3000);
        }
        expect((await supertest(t.app).get('/api/ready')).status).toBe(503);

        engine = await start({ dbPath, port });
        let status = 0;
        for (let attempt = 0; attempt < 40 && status !== 200; attempt += 1) {
          status = (await me()).status;
          if (status !== 200) {
            expect(status).toBe(503);
            await new Promise((resolve) => setTimeout(resolve, 250));
          }
        }
        expect(status).toBe(200);
        expect((await supertest(t.app).get('/api/ready')).status).toBe(200);
      } finally {
        await t.close();
        await engine.stop();
      }
    },
  );
});

import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandStartedEvent } from 'mongodb';
import { createTestApp } from '../test/test-app';
import type { TestApp } from '../test/test-app';
import { cookieHeader, issuedCookie, register } from '../test/fixtures';

let t: TestApp;
let commands: string[] = [];
beforeAll(async () => {
  t = await createTestApp({ monitorCommands: true, touchAfterSeconds: 60 });
  t.connection.getClient().on('commandStarted', (event: CommandStartedEvent) => {
    if (event.databaseName === t.connection.name) commands.push(event.commandName);
  });
});
afterAll(() => t.close());

async function commandsDuring(run: () => Promise<unknown>): Promise<string[]> {
  commands = [];
  await run();
  return commands;
}

describe('database cost per request', () => {
  it('an authenticated GET within the touchAfter window costs exactly one read and no write', async () => {
    const agent = t.agent();
    await register(agent);
    const cookie = issuedCookie(await agent.post('/api/auth/reauth').send({ password: 'correct horse battery staple' }));
    await supertest(t.app).get('/api/auth/me').set('Cookie', cookieHeader(cookie));
    const used = await commandsDuring(() => supertest(t.app).get('/api/auth/me').set('Cookie', cookieHeader(cookie)).expect(200));
    expect(used).toEqual(['find']);
  });

  it('anonymous requests cost nothing', async () => {
    const used = await commandsDuring(async () => {
      await supertest(t.app).get('/api/auth/me').expect(401);
      await supertest(t.app).get('/api/health').expect(200);
      await supertest(t.app).get('/api/nothing-here').expect(404);
    });
    expect(used).toEqual([]);
  });
});

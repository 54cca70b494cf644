import { afterAll, describe, expect, it } from 'vitest';
import { TEST_SECRET, TEST_SECRET_NEXT } from '../test/test-config';
import { unsignSid } from '../test/cookies';
import { httpRequest, keepAliveAgent, meStatuses, sessionCookie } from '../test/http-client';
import { killAll, removeDir, startApi, startEngine, tempDir } from '../test/processes';
import { registerWithSessions, signIn } from '../test/sign-in';

const SESSIONS = 20;
const OLD = TEST_SECRET;
const NEW = TEST_SECRET_NEXT;

const agent = keepAliveAgent();
const dirs: string[] = [];
afterAll(async () => {
  agent.destroy();
  await killAll();
  dirs.forEach(removeDir);
});

function signedWith(cookie: string, secret: string): boolean {
  try {
    unsignSid(cookie, secret);
    return true;
  } catch {
    return false;
  }
}

describe('R9: rolling secret rotation', () => {
  it(
    `R9: ${SESSIONS} sessions signed under [old] all survive a restart with [new, old]; new cookies are signed with new, so old can be retired afterwards`,
    { timeout: 90_000 },
    async () => {
      const dbPath = tempDir('r9');
      dirs.push(dbPath);
      const engine = await startEngine({ dbPath });
      const database = engine.database('gatehouse');

      const before = await startApi({ MONGODB_URI: database, SESSION_SECRETS: OLD });
      const user = await registerWithSessions(before.baseUrl, SESSIONS, { secret: OLD });
      expect(user.cookies.every((cookie) => signedWith(cookie, OLD))).toBe(true);
      expect(await before.stop()).toBe(0);

      const rotated = await startApi({ MONGODB_URI: database, SESSION_SECRETS: `${NEW},${OLD}` });
      // Each answer re-sends the cookie (rolling), now signed with the new secret: the client's next request carries that one.
      const reissued: string[] = [];
      const lost: string[] = [];
      for (const cookie of user.cookies) {
        const res = await httpRequest(rotated.baseUrl, '/api/auth/me', { cookie, agent });
        if (res.status !== 200) lost.push(`${res.status} ${res.body}`);
        else reissued.push(sessionCookie(res));
      }
      console.info(`R9: ${SESSIONS - lost.length}/${SESSIONS} sessions kept across the rotation (${lost.length} lost)`);
      expect(lost).toEqual([]);
      expect(reissued.every((cookie) => signedWith(cookie, NEW) && !signedWith(cookie, OLD))).toBe(true);
      const fresh = (await signIn(rotated.baseUrl, user, { secret: NEW })).cookie;
      expect(signedWith(fresh, NEW)).toBe(true);
      expect(signedWith(fresh, OLD)).toBe(false);
      expect(await rotated.stop()).toBe(0);

      const retired = await startApi({ MONGODB_URI: database, SESSION_SECRETS: NEW });
      expect(await meStatuses(retired.baseUrl, [...reissued, fresh], agent)).toEqual([...reissued, fresh].map(() => 200));
      expect(await meStatuses(retired.baseUrl, user.cookies, agent), 'cookies still signed with the retired secret').toEqual(user.cookies.map(() => 401));
      expect(await retired.stop()).toBe(0);
      await engine.stop();
    },
  );
});

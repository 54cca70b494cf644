import { afterAll, describe, expect, it } from 'vitest';
import { TEST_SECRET } from '../test/test-config';
import { httpRequest, keepAliveAgent, meStatuses, waitFor } from '../test/http-client';
import { isRunning, killAll, removeDir, startApi, startEngine, tempDir } from '../test/processes';
import { registerWithSessions } from '../test/sign-in';

const SESSIONS = 20;

const agent = keepAliveAgent();
const dirs: string[] = [];
afterAll(async () => {
  agent.destroy();
  await killAll();
  dirs.forEach(removeDir);
});

const percentValid = (statuses: number[]) => (100 * statuses.filter((status) => status === 200).length) / statuses.length;

describe('R3: restarts keep every session', () => {
  it(
    `R3: ${SESSIONS} signed-in sessions are 100 % valid after the API restarts, and again after the engine restarts on its --dbpath`,
    { timeout: 90_000 },
    async () => {
      const dbPath = tempDir('r3');
      dirs.push(dbPath);
      const engine = await startEngine({ dbPath });
      const env = { MONGODB_URI: engine.database('gatehouse'), SESSION_SECRETS: TEST_SECRET, DB_TIMEOUT_MS: '500' };
      const first = await startApi(env);
      const { cookies } = await registerWithSessions(first.baseUrl, SESSIONS);
      expect(percentValid(await meStatuses(first.baseUrl, cookies, agent))).toBe(100);

      expect(await first.stop('SIGTERM')).toBe(0);
      const second = await startApi(env);
      const afterApiRestart = await meStatuses(second.baseUrl, cookies, agent);
      console.info(`R3: ${percentValid(afterApiRestart)} % of ${SESSIONS} sessions valid after the API restart`);
      expect(afterApiRestart).toEqual(cookies.map(() => 200));

      expect(await engine.stop('SIGTERM')).toBe(0);
      const restartedEngine = await startEngine({ dbPath, port: engine.port });
      await waitFor(async () => ((await httpRequest(second.baseUrl, '/api/ready', { agent })).status === 200 ? true : undefined), {
        timeoutMs: 20_000,
        what: 'readiness after the engine restart',
      });
      const afterEngineRestart = await meStatuses(second.baseUrl, cookies, agent);
      console.info(`R3: ${percentValid(afterEngineRestart)} % of ${SESSIONS} sessions valid after the engine restart (same API process)`);
      expect(afterEngineRestart).toEqual(cookies.map(() => 200));
      expect(isRunning(second.process)).toBe(true);

      expect(await second.stop('SIGTERM')).toBe(0);
      expect(await restartedEngine.stop('SIGTERM')).toBe(0);
    },
  );
});

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const work = mkdtempSync(join(tmpdir(), 'gatehouse-change-feed-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const source = (relative: string) => JSON.stringify(fileURLToPath(new URL(relative, import.meta.url)));
const engineEntry = JSON.stringify(createRequire(import.meta.url).resolve('@gatehouse/embedded-mongo'));

describe('the change feed', () => {
  it('retrying after its database went away, does not keep the process up by itself', { timeout: 60_000 }, async () => {
    // A process whose feed was left open (nobody called close()) after its database stopped: it must
    // still exit once it has nothing else to do.
    const script = join(work, 'left-open.mts');
    writeFileSync(
      script,
      [
        `import { start } from ${engineEntry};`,
        `import { connectDatabase } from ${source('../db/connection.ts')};`,
        `import { createChangeFeed } from ${source('./change-feed.ts')};`,
        `const engine = await start({ logger: { info: () => {}, warn: () => {} } });`,
        `const connection = await connectDatabase({ uri: engine.uri, dbName: 'feed_left_open', timeoutMs: 500 });`,
        `const feed = createChangeFeed({ db: () => connection.getClient().db(connection.name), sessionsCollection: 'sessions', markersCollection: 'markers' });`,
        `if ((await feed.start()) !== 'stream') throw new Error('the feed did not open');`,
        `await engine.stop();`,
        `await connection.close();`,
        `process.stdout.write('left open\\n');`,
      ].join('\n'),
    );
    const outcome = await new Promise<{ exitedBy: string; stdout: string }>((resolve) => {
      execFile(process.execPath, ['--import', 'tsx', script], { timeout: 20_000, cwd: fileURLToPath(new URL('../..', import.meta.url)) }, (error, stdout) =>
        resolve({ exitedBy: error?.killed ? 'timeout' : error ? `code ${String(error.code)}` : 'itself', stdout }),
      );
    });
    expect(outcome.stdout).toBe('left open\n');
    expect(outcome.exitedBy).toBe('itself');
  });
});

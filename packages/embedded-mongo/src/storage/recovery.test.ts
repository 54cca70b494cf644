import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChangeHistory } from '../changes/history';
import { openEngine } from './recovery';
import { frameRecord } from './records';

const quiet = { info: () => undefined, warn: () => undefined };
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function dataDirectory(files: Record<string, Buffer[]>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'embedded-mongo-recovery-'));
  dirs.push(dir);
  for (const [name, records] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), Buffer.concat(records));
  return dir;
}

describe('recovery', () => {
  it('replays a data directory written with the stored one-character operation codes', async () => {
    // Byte for byte what every earlier version wrote: the codes are the on-disk format.
    const dbPath = dataDirectory({
      'snapshot.bson': [
        frameRecord({ snap: 1, s: 2 }),
        frameRecord({ o: 'c', ns: 'app.users', opts: {} }),
        frameRecord({ o: 'i', ns: 'app.users', spec: { v: 2, key: { email: 1 }, name: 'email_1', unique: true } }),
        frameRecord({
          o: 'P',
          ns: 'app.users',
          docs: [
            { _id: 1, email: 'a@x' },
            { _id: 2, email: 'b@x' },
          ],
        }),
        frameRecord({ o: 'c', ns: 'app.gone', opts: {} }),
        frameRecord({ o: 'c', ns: 'old.things', opts: {} }),
        frameRecord({ end: 1, s: 2 }),
      ],
      'journal.log': [
        frameRecord({ s: 2, ops: [{ o: 'd', ns: 'app.users', id: 1 }] }), // already in the snapshot: skipped
        frameRecord({
          s: 3,
          ops: [
            { o: 'p', ns: 'app.users', doc: { _id: 3, email: 'c@x' } },
            { o: 'd', ns: 'app.users', id: 2 },
          ],
        }),
        frameRecord({
          s: 4,
          ops: [
            { o: 'O', ns: 'app.users', opts: { validationLevel: 'off' } },
            { o: 'D', ns: 'app.gone' },
            { o: 'X', db: 'old' },
          ],
        }),
        frameRecord({
          s: 5,
          ops: [
            { o: 'i', ns: 'app.users', spec: { v: 2, key: { n: 1 }, name: 'n_1' } },
            { o: 'x', ns: 'app.users', name: 'n_1' },
          ],
        }),
      ],
    });
    const engine = await openEngine({ history: new ChangeHistory(false), logger: quiet, dbPath, compactThresholdBytes: 1 << 30 });
    try {
      const users = engine.getCollection('app', 'users');
      expect([...(users?.docs.values() ?? [])]).toEqual([
        { _id: 1, email: 'a@x' },
        { _id: 3, email: 'c@x' },
      ]);
      expect(users?.options).toEqual({ validationLevel: 'off' });
      expect([...(users?.indexes.keys() ?? [])]).toEqual(['email_1']);
      expect(engine.getCollection('app', 'gone')).toBeUndefined();
      expect(engine.databaseNames()).toEqual(['app']);
    } finally {
      await engine.close();
    }
  });

  it('refuses an operation code it does not know rather than guessing', async () => {
    const dbPath = dataDirectory({ 'journal.log': [frameRecord({ s: 1, ops: [{ o: 'z', ns: 'app.users' }] })] });
    await expect(openEngine({ history: new ChangeHistory(false), logger: quiet, dbPath, compactThresholdBytes: 1 << 30 })).rejects.toThrow(
      /unknown journal operation z/,
    );
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('.', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'test' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** `npm run lint` also runs madge: no module imports one that imports it back. */
describe('architecture', () => {
  it('one module owns session state: only sessions/registry.ts names the sessions and revocation-marker collections', () => {
    const naming = sourceFiles(SRC)
      .filter((file) => /SESSIONS_COLLECTION|SESSION_MARKERS_COLLECTION|collection\(\s*['"`](sessions|revoked_sessions)['"`]/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(SRC, file));
    expect(naming).toEqual(['sessions/registry.ts']);
  });

  it('one module owns the one-time links: only tokens/account-tokens.ts names their collection', () => {
    const naming = sourceFiles(SRC)
      .filter((file) => /ACCOUNT_TOKENS_COLLECTION|collection\(\s*['"`]account_tokens['"`]/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(SRC, file));
    expect(naming).toEqual(['tokens/account-tokens.ts']);
  });

  it('users/ owns the users collection: outside it only app.ts (the composition root) imports the user model', () => {
    const importing = sourceFiles(SRC)
      .filter(
        (file) =>
          !relative(SRC, file).startsWith('users/') && /from '[./]*(\.\.\/)?users\/user-model'|collection\(\s*['"`]users['"`]/.test(readFileSync(file, 'utf8')),
      )
      .map((file) => relative(SRC, file));
    expect(importing).toEqual(['app.ts', 'cli/user-role.ts']);
  });

  it('one authority for sign-in: only sign-in/ starts or raises a session (registry.start, startPending, rotate)', () => {
    const starting = sourceFiles(SRC)
      .filter((file) => !relative(SRC, file).startsWith('sign-in/') && !relative(SRC, file).startsWith('sessions/'))
      .filter((file) => /registry\.(start|startPending|rotate)\(/.test(readFileSync(file, 'utf8')))
      .map((file) => relative(SRC, file));
    expect(starting).toEqual([]);
  });

  it('events flow one way: sessions/ imports neither live/, activity/ nor users/', () => {
    const backwards = sourceFiles(join(SRC, 'sessions')).filter((file) => /from '\.\.\/(live|activity|users)\//.test(readFileSync(file, 'utf8')));
    expect(backwards.map((file) => relative(SRC, file))).toEqual([]);
  });
});

import { cpSync } from 'node:fs';
import { defineConfig } from 'tsup';

/**
 * Workspace packages are TypeScript source, so they are bundled in; everything from node_modules
 * (argon2's native addon above all) stays external and is loaded at run time.
 */
export default defineConfig({
  entry: { server: 'src/server.ts', 'user-role': 'src/cli/user-role.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  outDir: 'dist',
  clean: true,
  sourcemap: true,
  splitting: true,
  noExternal: [/^@gatehouse\//],
  external: [/^[^./@]/, /^@(?!gatehouse\/)/],
  onSuccess: async () => {
    cpSync('src/auth/common-passwords.txt', 'dist/common-passwords.txt');
  },
});

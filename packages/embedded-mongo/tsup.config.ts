import { defineConfig } from 'tsup';

/**
 * The command-line engine (`gatehouse-mongo`, the package's bin) as plain JavaScript, so that it runs
 * with node alone (`npx gatehouse-mongo`). Libraries import the engine as TypeScript source instead.
 */
export default defineConfig({
  entry: { cli: 'src/cli.ts' },
  format: ['esm'],
  platform: 'node',
  target: 'node20',
  outDir: 'dist',
  clean: true,
  sourcemap: true,
  external: [/^[^./]/],
});

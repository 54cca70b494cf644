/**
 * `npm run bench`: the engine's benchmarks one after the other (operations at 1k and 100k documents,
 * then change streams), each in its own process; options such as `--quick` reach both.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const options = process.argv.slice(2);
for (const bench of ['engine.bench.ts', 'change-streams.bench.ts']) {
  const file = fileURLToPath(new URL(bench, import.meta.url));
  const { status } = spawnSync(process.execPath, ['--import', 'tsx', file, ...options], { stdio: 'inherit' });
  if (status !== 0) {
    console.error(`[bench] ${bench} failed (exit ${String(status)})`);
    process.exit(status ?? 1);
  }
}

/**
 * A benchmark section beyond the side-by-side run: its own module, runnable alone, that returns its
 * figures and targets as Markdown. `run.ts` runs every section listed in `sections.ts` after its own.
 */
import { fixed } from './measure';

export interface SectionOptions {
  /** Short runs: a smoke test, not figures to quote. */
  quick: boolean;
}

export interface BenchSection {
  name: string;
  run(options: SectionOptions): Promise<string>;
}

export interface Target {
  what: string;
  measured: number;
  limit: number;
  /** `min`: the measured value must be at least the limit; `max`: at most. */
  kind: 'min' | 'max';
  unit: string;
  digits?: number;
}

export const isMet = (target: Target): boolean => (target.kind === 'min' ? target.measured >= target.limit : target.measured <= target.limit);

export function targetTable(targets: Target[]): string[] {
  return [
    '| Target | measured | limit | met |',
    '|---|---:|---:|---|',
    ...targets.map(
      (target) =>
        `| ${target.what} | ${fixed(target.measured, target.digits ?? 1)}${target.unit} | ${target.kind === 'min' ? '≥' : '≤'} ${target.limit}${target.unit} | ${isMet(target) ? 'yes' : 'NO'} |`,
    ),
  ];
}

/** Runs a section as its own script (`tsx bench/<section>.ts [--quick]`), printing its Markdown. */
export function runAlone(section: BenchSection): void {
  const quick = process.argv.includes('--quick');
  section
    .run({ quick })
    .then((markdown) => process.stdout.write(`${markdown}\n`))
    .catch((error: unknown) => {
      process.stderr.write(`${section.name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    });
}

/** True when `moduleUrl` is the script node was asked to run. */
export const isEntryPoint = (moduleUrl: string): boolean => process.argv[1] !== undefined && new URL(moduleUrl).pathname === process.argv[1];

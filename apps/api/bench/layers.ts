/**
 * What each of Gatehouse's own layers costs on an authenticated GET /api/auth/me
 * (`npm run bench:layers -w @gatehouse/api [-- --quick]`; docs/performance.md has the method).
 *
 * One server process on the server core holds the real app several times over (bench/layer-server.ts):
 * whole, and with one layer taken out, and with all of them out. A load generator that stays up on
 * the load core sends short bursts at 50 connections to each variant in turn, many cycles over; the
 * server's CPU time (/proc) per request is taken for every burst. A layer's cost is the difference
 * between the whole app and the app without it *within one cycle* (the same few seconds of a shared
 * machine), reported as the median over cycles with the interquartile range.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ChildProcess } from 'node:child_process';
import { LAYERS } from './layer-names';
import { cpuSeconds, fixed, log, median } from './measure';
import { firstLine, LOAD_CORE, pinningNote, SERVER_CORE, spawnNode, stop } from './processes';

const QUICK = process.argv.includes('--quick');
/** `--cycles=N`: fewer cycles when run as part of `npm run bench`. */
const CYCLES_ARG = process.argv.find((arg) => arg.startsWith('--cycles='));
const CYCLES = CYCLES_ARG ? Number(CYCLES_ARG.slice('--cycles='.length)) : QUICK ? 2 : 20;
/** `--session-cache=coherent`: the same layers in front of sessions served from memory. */
const SESSION_CACHE = process.argv.find((arg) => arg.startsWith('--session-cache='))?.slice('--session-cache='.length) ?? 'off';
const BURST_SECONDS = QUICK ? 1 : 2;
const FORWARDED = { 'X-Forwarded-Proto': 'https' };
const VARIANTS = ['full', ...LAYERS, LAYERS.join(',')];

interface Variant {
  name: string;
  baseUrl: string;
  cookie: string;
  removed: string[];
}

interface Burst {
  requests: number;
  non2xx: number;
  errors: number;
  cpuMicrosPerRequest: number;
}

function labelOf(variant: string): string {
  if (variant === 'full') return 'full stack';
  return variant.includes(',') ? 'without all four' : `without ${variant}`;
}

/** Sends one run to the load process and waits for its result line. */
function loadRunner(child: ChildProcess) {
  if (!child.stdout || !child.stdin) throw new Error('the load process needs stdin and stdout pipes');
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const input = child.stdin;
  return async (options: object): Promise<{ requests: number; non2xx: number; errors: number }> => {
    input.write(`${JSON.stringify(options)}\n`);
    const next = await lines.next();
    if (next.done) throw new Error('the load process ended');
    return JSON.parse(next.value) as { requests: number; non2xx: number; errors: number };
  };
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'gatehouse-layers-'));
  const startLoad = loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
  log(`load average ${startLoad}; ${pinningNote()}; SESSION_CACHE=${SESSION_CACHE}`);
  const server = spawnNode(SERVER_CORE, ['bench/layer-server.ts', work, ...VARIANTS], { env: { SESSION_CACHE } });
  const load = spawnNode(LOAD_CORE, ['bench/bursts.ts'], { stdin: 'pipe' });
  try {
    const { variants } = JSON.parse(await firstLine(server, 120_000)) as { variants: Variant[] };
    for (const variant of variants) log(`${labelOf(variant.name)}: removed [${variant.removed.join(', ')}]`);
    const run = loadRunner(load);
    const burst = async (variant: Variant, seconds: number): Promise<Burst> => {
      const before = cpuSeconds(server);
      const result = await run({
        url: `${variant.baseUrl}/api/auth/me`,
        connections: 50,
        duration: seconds,
        headers: { Cookie: variant.cookie, ...FORWARDED },
      });
      const cpu = cpuSeconds(server) - before;
      return { ...result, cpuMicrosPerRequest: (1e6 * cpu) / result.requests };
    };
    for (const variant of variants) await burst(variant, 3);
    const bursts = new Map<string, Burst[]>(variants.map((variant) => [variant.name, []]));
    for (let cycle = 1; cycle <= CYCLES; cycle += 1) {
      // Rotating the order keeps any variant from always following the same one.
      const order = variants.map((_, index) => variants[(index + cycle) % variants.length] as Variant);
      for (const variant of order) bursts.get(variant.name)?.push(await burst(variant, BURST_SECONDS));
      log(
        `cycle ${cycle}: ${variants.map((variant) => `${labelOf(variant.name)} ${fixed(bursts.get(variant.name)?.at(-1)?.cpuMicrosPerRequest ?? NaN)}`).join(', ')} µs/request`,
      );
    }

    const cpuOf = (name: string) => (bursts.get(name) ?? []).map((entry) => entry.cpuMicrosPerRequest);
    const full = cpuOf('full');
    const lines = [
      `Load average at start ${startLoad}, at the end ${loadavg()
        .map((value) => value.toFixed(2))
        .join(' ')}; SESSION_CACHE=${SESSION_CACHE}; ${CYCLES} cycles of ${BURST_SECONDS} s bursts at 50 connections per variant.`,
      '',
      '| configuration | server CPU µs/request (median) | layer cost µs/request (median of per-cycle differences) | interquartile range | requests | non-2xx |',
      '|---|---:|---:|---|---:|---:|',
    ];
    for (const variant of variants) {
      const own = cpuOf(variant.name);
      const differences = own.map((value, cycle) => (full[cycle] ?? NaN) - value).sort((a, b) => a - b);
      const quartile = (q: number) => differences[Math.min(differences.length - 1, Math.floor(q * differences.length))] ?? NaN;
      const entries = bursts.get(variant.name) ?? [];
      const cost = variant.name === 'full' ? ['—', '—'] : [fixed(median(differences)), `${fixed(quartile(0.25))} … ${fixed(quartile(0.75))}`];
      const requests = entries.reduce((sum, entry) => sum + entry.requests, 0);
      const nonOk = entries.reduce((sum, entry) => sum + entry.non2xx + entry.errors, 0);
      lines.push(`| ${labelOf(variant.name)} | ${fixed(median(own))} | ${cost.join(' | ')} | ${requests} | ${nonOk} |`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    load.stdin?.end();
    await stop(load);
    await stop(server);
    rmSync(work, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);

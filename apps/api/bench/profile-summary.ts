/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`, e.g. `npm run bench -- --cpu-prof`): self time
 * by package and the top functions. Usage: `tsx bench/profile-summary.ts <file.cpuprofile> [top=25]`.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-summary.ts <file.cpuprofile> [top]');
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const top = Number(topArg ?? 25);

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfMicros = new Map<number, number>();
profile.samples.forEach((id, index) => selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[index] ?? 0)));
const total = [...selfMicros.values()].reduce((sum, value) => sum + value, 0);

function packageOf(url: string): string {
  if (!url) return '(native/V8)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  const source = /\/(apps|packages)\/([^/]+)\//.exec(url);
  return source ? `${source[1]}/${source[2]}` : url;
}

const byPackage = new Map<string, number>();
const byFunction = new Map<string, number>();
for (const [id, micros] of selfMicros) {
  const node = byId.get(id);
  if (!node) continue;
  const { functionName, url, lineNumber } = node.callFrame;
  const pkg = packageOf(url);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + micros);
  const key = `${functionName || '(anonymous)'} ${pkg}${url ? `:${lineNumber + 1}` : ''}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
}

/** Inclusive time: a function's own samples plus everything it called (recursion counted once per frame). */
const inclusive = new Map<string, number>();
function totalOf(node: ProfileNode, stack: Set<string>): number {
  let sum = selfMicros.get(node.id) ?? 0;
  for (const childId of node.children ?? []) {
    const child = byId.get(childId);
    if (child) sum += totalOf(child, stack);
  }
  const { functionName, url, lineNumber } = node.callFrame;
  const key = `${functionName || '(anonymous)'} ${packageOf(url)}${url ? `:${lineNumber + 1}` : ''}`;
  if (!stack.has(key)) inclusive.set(key, (inclusive.get(key) ?? 0) + sum);
  return sum;
}
const root = profile.nodes[0];
if (root) totalOf(root, new Set());

const percent = (micros: number) => `${((100 * micros) / total).toFixed(1).padStart(5)} %`;
process.stdout.write(`total sampled ${(total / 1e6).toFixed(2)} s\n\nself time by package:\n`);
for (const [pkg, micros] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${percent(micros)}  ${pkg}\n`);
process.stdout.write('\ntop functions (self):\n');
for (const [name, micros] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) process.stdout.write(`${percent(micros)}  ${name}\n`);
process.stdout.write('\ntop functions (inclusive, excluding the root, idle and GC):\n');
for (const [name, micros] of [...inclusive]
  .filter(([name]) => !/^\((root|idle|garbage collector|program)\)/.test(name))
  .sort((a, b) => b[1] - a[1])
  .slice(0, top * 2))
  process.stdout.write(`${percent(micros)}  ${name}\n`);

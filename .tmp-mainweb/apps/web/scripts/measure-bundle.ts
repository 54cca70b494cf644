/**
 * Per-route bundle budget, read from the Vite manifest of the last build (`npm run build -w @gatehouse/web`):
 * for each route, the JS and CSS a browser loads on arrival, gzipped. Exits 1 when a budgeted route is over.
 *
 *   npx tsx apps/web/scripts/measure-bundle.ts
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

interface ManifestChunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  css?: string[];
}
type Manifest = Record<string, ManifestChunk>;

const BUDGET_BYTES = 105 * 1024;

/**
 * The lazily loaded page module(s) each route renders (see src/app/pages.ts). Everything else the page
 * needs comes with the entry: index.html's script, its modulepreload links and its stylesheet.
 */
const ROUTES: ReadonlyArray<{ path: string; pages: string[]; isBudgeted: boolean }> = [
  { path: '/login', pages: ['src/features/auth/login-page.tsx'], isBudgeted: true },
  { path: '/ (signed in)', pages: ['src/features/dashboard/dashboard-page.tsx'], isBudgeted: true },
  { path: '/register', pages: ['src/features/auth/register-page.tsx'], isBudgeted: false },
  { path: '/admin', pages: ['src/features/admin/admin-page.tsx'], isBudgeted: false },
];

const distDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const manifest = JSON.parse(readFileSync(join(distDir, '.vite', 'manifest.json'), 'utf8')) as Manifest;

/** A chunk with everything it imports statically: the browser fetches all of it before running the chunk. */
function filesLoadedWith(key: string, files = new Set<string>(), seen = new Set<string>()): Set<string> {
  if (seen.has(key)) return files;
  seen.add(key);
  const chunk = manifest[key];
  if (!chunk) throw new Error(`${key} is not in the manifest: has the app changed? Update ROUTES in ${fileURLToPath(import.meta.url)}`);
  files.add(chunk.file);
  chunk.css?.forEach((css) => files.add(css));
  chunk.imports?.forEach((imported) => filesLoadedWith(imported, files, seen));
  return files;
}

const gzipSizeOf = (file: string) => gzipSync(readFileSync(join(distDir, file)), { level: 9 }).length;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

const entryKey = Object.keys(manifest).find((key) => manifest[key]?.isEntry);
if (!entryKey) throw new Error('The manifest has no entry chunk');

let isOverBudget = false;
for (const route of ROUTES) {
  const files = filesLoadedWith(entryKey);
  route.pages.forEach((page) => filesLoadedWith(page, files));
  const sizes = [...files].map((file) => ({ file, gzip: gzipSizeOf(file) })).sort((a, b) => b.gzip - a.gzip);
  const total = sizes.reduce((sum, { gzip }) => sum + gzip, 0);
  const verdict = route.isBudgeted ? (total <= BUDGET_BYTES ? `within ${kib(BUDGET_BYTES)}` : `OVER ${kib(BUDGET_BYTES)}`) : 'not budgeted';
  if (route.isBudgeted && total > BUDGET_BYTES) isOverBudget = true;
  console.log(`${route.path}: ${total} B gzip (${kib(total)}), ${verdict}`);
  for (const { file, gzip } of sizes) console.log(`  ${String(gzip).padStart(7)} B  ${file}`);
}
process.exitCode = isOverBudget ? 1 : 0;

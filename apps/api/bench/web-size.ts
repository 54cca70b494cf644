import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export interface AssetSize {
  file: string;
  bytes: number;
  gzipBytes: number;
}

export interface RouteSize {
  route: string;
  assets: AssetSize[];
  gzipBytes: number;
}

export interface WebSizes {
  distDir: string;
  /** Script, stylesheets and modulepreloads in index.html: fetched for every route. */
  initial: AssetSize[];
  routes: RouteSize[];
  /** The admin route's own chunks, beyond what every page loads. */
  admin: AssetSize[];
}

/** Each route's lazily imported page chunk, recognised by its file name. */
const ROUTE_CHUNKS: { route: string; chunk: RegExp }[] = [
  { route: '/login', chunk: /^assets\/login-page-/ },
  { route: '/ (signed in)', chunk: /^assets\/dashboard-page-/ },
  { route: '/admin', chunk: /^assets\/admin-page-[^.]+\.js$/ },
];

function sizeOf(distDir: string, file: string): AssetSize {
  const content = readFileSync(join(distDir, file));
  return { file, bytes: content.length, gzipBytes: gzipSync(content, { level: 9 }).length };
}

const total = (assets: AssetSize[]) => assets.reduce((sum, asset) => sum + asset.gzipBytes, 0);

/**
 * Vite's entry chunk lists every lazily loaded file once (`m.f=[…]`) and each dynamic import as the
 * indexes it needs (`__vite__mapDeps([4,1,5])`: the page chunk first, then its shared chunks and CSS).
 */
function dynamicImportGroups(entryCode: string): string[][] {
  const files = /m\.f=\[([^\]]*)\]/.exec(entryCode)?.[1];
  if (!files) return [];
  const names = [...files.matchAll(/"([^"]+)"/g)].map((match) => match[1] ?? '');
  return [...entryCode.matchAll(/__vite__mapDeps\(\[([\d,]+)\]\)/g)].map((match) => (match[1] ?? '').split(',').map((index) => names[Number(index)] ?? ''));
}

/** Gzip (level 9) sizes of the JS and CSS the browser fetches to show each route of the built SPA. */
export function measureWebSizes(distDir: string): WebSizes | null {
  const indexFile = join(distDir, 'index.html');
  if (!existsSync(indexFile)) return null;
  const html = readFileSync(indexFile, 'utf8');
  const initialFiles = [...html.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="\/?(assets\/[^"]+\.(?:js|css))"/g)].map((match) => match[1] ?? '');
  const initial = initialFiles.map((file) => sizeOf(distDir, file));
  const groups = initialFiles.filter((file) => file.endsWith('.js')).flatMap((file) => dynamicImportGroups(readFileSync(join(distDir, file), 'utf8')));

  const groupFor = (chunk: RegExp) => groups.find((group) => chunk.test(group[0] ?? ''));
  const routes: RouteSize[] = [];
  let admin: AssetSize[] = [];
  for (const { route, chunk } of ROUTE_CHUNKS) {
    const group = groupFor(chunk);
    if (!group) continue;
    const extra = group.filter((file) => !initialFiles.includes(file)).map((file) => sizeOf(distDir, file));
    if (route === '/admin') {
      admin = extra.filter((asset) => /admin/.test(asset.file));
      continue;
    }
    const assets = [...initial, ...extra];
    routes.push({ route, assets, gzipBytes: total(assets) });
  }
  return { distDir, initial, routes, admin };
}

export { total as totalGzipBytes };

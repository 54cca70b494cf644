import type { Express } from 'express';

/** One route the app answers: its full path as written in the code (`/api/sessions/:handle`) and its methods. */
export interface RouteEntry {
  path: string;
  /** Upper case, as the code declares them (HEAD is implied by GET and not listed). */
  methods: string[];
  /** Whether a request path reaches this route, decided by Express's own matchers. */
  matches(requestPath: string): boolean;
}

type Match = (path: string) => false | { path: string };

/** The parts of Express's router (the `router` package) read here; its layers are not in the public types. */
interface LayerLike {
  rawPath?: unknown;
  matchers?: Match[];
  route?: { path: unknown; methods: Record<string, boolean | undefined> };
  handle?: { stack?: unknown };
}

function isLayerList(value: unknown): value is LayerLike[] {
  return Array.isArray(value) && value.every((layer) => typeof layer === 'object' && layer !== null && Array.isArray((layer as LayerLike).matchers));
}

/** The part of `path` after the prefix a mount layer matched, as the router hands it to the mounted router. */
function afterPrefix(path: string, prefix: string): string {
  const rest = path.slice(prefix.length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}

function walk(stack: LayerLike[], mountPath: string, within: (path: string) => string | null, routes: RouteEntry[]): void {
  for (const layer of stack) {
    const matchers = layer.matchers ?? [];
    // Mounts and routes may be RegExps (the SPA's history fallback is one); they have no path to list.
    if (typeof layer.rawPath !== 'string') continue;
    const rawPath = layer.rawPath;
    if (layer.route) {
      const methods = Object.keys(layer.route.methods)
        .filter((method) => method !== '_all' && layer.route?.methods[method])
        .map((method) => method.toUpperCase());
      routes.push({
        path: `${mountPath}${rawPath === '/' && mountPath !== '' ? '' : rawPath}`,
        methods,
        matches: (requestPath) => {
          const rest = within(requestPath);
          return rest !== null && matchers.some((match) => match(rest) !== false);
        },
      });
      continue;
    }
    const inner = layer.handle?.stack;
    if (!isLayerList(inner)) continue;
    const innerWithin = (requestPath: string): string | null => {
      const rest = within(requestPath);
      if (rest === null) return null;
      // Express hands everything to a router mounted at '/' without consulting its matcher.
      if (rawPath === '/') return rest;
      for (const match of matchers) {
        const matched = match(rest);
        if (matched !== false) return afterPrefix(rest, matched.path);
      }
      return null;
    };
    walk(inner, `${mountPath}${rawPath === '/' ? '' : rawPath}`, innerWithin, routes);
  }
}

/**
 * Every route of the app with a string path, found by walking Express's router stack (mounted routers
 * included). The OpenAPI test compares it with the document; the 405 answer reads the methods from it.
 */
export function routeTable(app: Express): RouteEntry[] {
  const stack: unknown = (app.router as unknown as { stack?: unknown }).stack;
  if (!isLayerList(stack)) throw new Error('Express router stack not found: the route table cannot be built');
  const routes: RouteEntry[] = [];
  walk(stack, '', (path) => path, routes);
  return routes;
}

import { vi } from 'vitest';
import type { ErrorBody } from '@gatehouse/types/errors';

export type Handler = (request: { body: unknown; url: string }) => Response | Promise<Response>;

export const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });

export const apiError = (status: number, error: ErrorBody['error'], headers: Record<string, string> = {}) => json({ error }, status, headers);

export const noContent = () => new Response(null, { status: 204 });

/**
 * Replaces `fetch` for one test with handlers keyed by "METHOD /path" (query string ignored).
 * Unknown routes answer 404 so a forgotten handler shows up as a visible failure.
 */
export function stubApi(handlers: Record<string, Handler>) {
  const calls: Array<{ method: string; path: string; url: string; body: unknown; init: RequestInit | undefined }> = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const method = (init?.method ?? 'GET').toUpperCase();
    const path = url.split('?')[0] ?? url;
    const body: unknown = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    calls.push({ method, path, url, body, init });
    const handler = handlers[`${method} ${path}`];
    if (!handler) return apiError(404, { code: 'not_found', message: `No stub for ${method} ${path}` });
    return handler({ body, url });
  });
  vi.stubGlobal('fetch', fetchMock);
  return { calls, fetchMock };
}

type Listener = (event: MessageEvent<string>) => void;

/** A stand-in for the browser's EventSource that tests drive by hand. */
export class FakeEventSource {
  static instances: FakeEventSource[] = [];
  readonly url: string;
  isClosed = false;
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(url: string) {
    this.url = url;
    FakeEventSource.instances.push(this);
  }

  addEventListener(type: string, listener: Listener) {
    const set = this.listeners.get(type) ?? new Set<Listener>();
    set.add(listener);
    this.listeners.set(type, set);
  }

  removeEventListener(type: string, listener: Listener) {
    this.listeners.get(type)?.delete(listener);
  }

  close() {
    this.isClosed = true;
  }

  emit(type: string, data: unknown = {}) {
    const event = new MessageEvent<string>(type, { data: JSON.stringify(data) });
    this.listeners.get(type)?.forEach((listener) => listener(event));
  }

  static latest(): FakeEventSource {
    const open = FakeEventSource.instances.filter((source) => !source.isClosed);
    const source = open[open.length - 1];
    if (!source) throw new Error('No open EventSource');
    return source;
  }

  static install() {
    FakeEventSource.instances = [];
    vi.stubGlobal('EventSource', FakeEventSource);
  }
}

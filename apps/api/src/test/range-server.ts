import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the range server received, as it arrived. */
export interface RangeRequest {
  /** The path and query exactly as sent, e.g. `/range/5BAA6`. */
  url: string;
  headers: IncomingHttpHeaders;
  /** Everything after the headers (a look-up has none). */
  body: string;
  /** `performance.now()` on arrival. */
  at: number;
}

/**
 * A local stand-in for the Pwned Passwords range API, with the same wire format (`GET <base><prefix>`,
 * answered by `SUFFIX:COUNT` lines, padded with count-0 rows when asked), so no test reaches the public
 * service. It records what it was asked, so tests can check that only a 5-hex-digit prefix arrived (S48).
 */
export interface RangeServer {
  /** What PWNED_PASSWORDS_URL would be: the prefix is appended to it. */
  rangeUrl: string;
  requests: RangeRequest[];
  /** Puts the password's hash in the corpus (as if found in `count` breaches). */
  list(password: string, count?: number): void;
  unlist(password: string): void;
  /** Answers after `ms` (0: at once). */
  delayAnswers(ms: number): void;
  /** Answers every look-up with this status and no list. */
  failWith(status: number | null): void;
  close(): Promise<void>;
}

const sha1 = (text: string) => createHash('sha1').update(text, 'utf8').digest('hex').toUpperCase();

export async function startRangeServer(): Promise<RangeServer> {
  const corpus = new Map<string, number>();
  const requests: RangeRequest[] = [];
  let delayMs = 0;
  let failureStatus: number | null = null;

  const server = createServer((req, res) => {
    const at = performance.now();
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      requests.push({ url: req.url ?? '', headers: req.headers, body, at });
      setTimeout(() => {
        if (res.destroyed) return;
        const match = /^\/range\/([0-9A-F]{5})$/.exec(req.url ?? '');
        if (failureStatus !== null || req.method !== 'GET' || !match) {
          res.writeHead(failureStatus ?? 400, { 'Content-Type': 'text/plain' }).end('The hash prefix was not in a valid format');
          return;
        }
        const prefix = match[1] ?? '';
        const lines = [...corpus].filter(([hash]) => hash.startsWith(prefix)).map(([hash, count]) => `${hash.slice(5)}:${count}`);
        if (req.headers['add-padding'] === 'true') {
          for (let i = 0; i < 20; i++) lines.push(`${randomBytes(18).toString('hex').slice(0, 35).toUpperCase()}:0`);
        }
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end(lines.join('\r\n'));
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    rangeUrl: `http://127.0.0.1:${port}/range/`,
    requests,
    list: (password, count = 42) => corpus.set(sha1(password), count),
    unlist: (password) => corpus.delete(sha1(password)),
    delayAnswers: (ms) => (delayMs = ms),
    failWith: (status) => (failureStatus = status),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

import { parse } from 'cookie';
import type { Request } from 'express';

/** The value of one request cookie, decoded; null when absent or undecodable. */
export function readCookie(req: Request, name: string): string | null {
  const header = req.headers.cookie;
  if (!header) return null;
  return parse(header)[name] ?? null;
}

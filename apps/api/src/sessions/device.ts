import type { Request } from 'express';
import Bowser from 'bowser';
import type { Device } from '@gatehouse/types/sessions';

const UNKNOWN: Device = { browser: null, os: null, platform: null };

/** Browser, OS and platform from the User-Agent, for people to recognise their sessions; never trusted. */
export function parseDevice(userAgent: string | undefined): Device {
  if (!userAgent) return UNKNOWN;
  const result = Bowser.parse(userAgent.slice(0, 512));
  const browser = [result.browser.name, result.browser.version?.split('.')[0]].filter(Boolean).join(' ');
  const os = [result.os.name, result.os.versionName ?? result.os.version].filter(Boolean).join(' ');
  return { browser: browser || null, os: os || null, platform: result.platform.type ?? null };
}

/** Where a request comes from, as activity records and mails show it. */
export interface SeenFrom {
  device: Device;
  ip: string | null;
}

export function seenFrom(req: Request): SeenFrom {
  return { device: parseDevice(req.get('user-agent')), ip: req.ip ?? null };
}

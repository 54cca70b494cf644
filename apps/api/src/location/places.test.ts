import { describe, expect, it } from 'vitest';
import { createPlaces, LOCAL_NETWORK } from './places';

describe('places', () => {
  const places = createPlaces({ enabled: true });

  it.each(['127.0.0.1', '::1', '10.1.2.3', '172.16.0.9', '192.168.1.20', '169.254.10.1', '100.64.0.1', 'fd12:3456::1', 'fe80::1', '::ffff:127.0.0.1'])(
    'private and loopback addresses are the local network (%s), without the database',
    async (ip) => {
      expect(await places.locate(ip)).toEqual({ city: null, country: null, label: LOCAL_NETWORK });
    },
  );

  it('a public IPv4 address gets a city and country from the database', async () => {
    const place = await places.locate('81.2.69.142');
    expect(place?.country).toBe('United Kingdom');
    expect(place?.city).toEqual(expect.any(String));
    expect(place?.label).toBe(`${place?.city ?? ''}, United Kingdom`);
  });

  it('a public IPv6 address, and an IPv4 one seen on a dual-stack socket', async () => {
    expect((await places.locate('2a02:8108::1'))?.country).toBe('Germany');
    expect(await places.locate('::ffff:81.2.69.142')).toEqual(await places.locate('81.2.69.142'));
  });

  it('an address the database places only in a country is labelled with the country alone', async () => {
    const place = await places.locate('8.8.8.8');
    expect(place).toEqual({ city: null, country: 'United States', label: 'United States' });
  });

  it('no place for what is not an address, for documentation ranges, or for none', async () => {
    expect(await places.locate('not-an-ip')).toBeNull();
    expect(await places.locate(null)).toBeNull();
    expect(await places.locate('203.0.113.9')).toBeNull();
  });

  it('GEOIP=off: no place at all, not even the local network', async () => {
    const off = createPlaces({ enabled: false });
    expect(await off.locate('81.2.69.142')).toBeNull();
    expect(await off.locate('127.0.0.1')).toBeNull();
  });
});

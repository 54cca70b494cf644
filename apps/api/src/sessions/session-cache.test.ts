import { describe, expect, it } from 'vitest';
import { createSessionCache } from './session-cache';
import type { CachedSession } from './session-cache';

const HOUR = 3_600_000;

function entry(
  sid: string,
  { userId = 'u1', role = 'user', expires = Date.now() + HOUR }: { userId?: string | null; role?: string; expires?: number } = {},
): CachedSession {
  return {
    sid,
    handle: `handle-of-${sid}`,
    userId,
    data: {
      cookie: { originalMaxAge: null, path: '/', httpOnly: true },
      ...(userId ? { userId } : {}),
      user: { id: userId ?? '', name: 'Ada', email: 'ada@example.com', role: role as 'user', createdAt: new Date(0).toISOString(), emailVerified: true },
    },
    expires: new Date(expires),
  };
}

function cacheWith({ maxEntries = 100, trusted = { value: true } } = {}) {
  const cache = createSessionCache({ maxEntries, isTrusted: () => trusted.value });
  /** A read from the database that found `found`, completing at once. */
  const read = (found: CachedSession | null) => cache.beginRead(found?.sid ?? 'missing')(found);
  return { cache, trusted, read };
}

describe('coherent session cache', () => {
  it('serves what a read found, each request its own top level and cookie, nested values frozen', () => {
    const { cache, read } = cacheWith();
    read(entry('s1'));
    const first = cache.lookup('s1');
    expect(first?.user?.role).toBe('user');
    if (!first) throw new Error('expected a hit');
    first.rememberMe = true;
    first.cookie.maxAge = 5;
    const second = cache.lookup('s1');
    expect(second?.rememberMe).toBeUndefined();
    expect(second?.cookie.maxAge).toBeUndefined();
    expect(() => {
      if (second?.user) second.user.role = 'admin';
    }).toThrow(TypeError);
    expect(cache.lookup('s1')?.user?.role).toBe('user');
  });

  it('a read racing an eviction of its session cannot put what it read into memory', () => {
    const { cache } = cacheWith();
    const keep = cache.beginRead('s1');
    // The session changes (another instance's write reaches the feed) while the read is on its way.
    cache.evict('s1');
    keep(entry('s1', { role: 'admin' }));
    expect(cache.lookup('s1')).toBeNull();
    expect(cache.size()).toBe(0);
  });

  it('a read racing an eviction of its account, a clear, or an ending known only by its handle is not kept either', () => {
    const { cache } = cacheWith();
    const evictions: ((c: typeof cache) => void)[] = [(c) => c.evictUser('u1'), (c) => c.clear(), (c) => c.evictHandle('handle-of-s1')];
    for (const evictWhileReading of evictions) {
      const keep = cache.beginRead('s1');
      evictWhileReading(cache);
      keep(entry('s1'));
      expect(cache.lookup('s1')).toBeNull();
    }
  });

  it('of two overlapping reads, only the one that began after the eviction is kept', () => {
    const { cache } = cacheWith();
    const before = cache.beginRead('s1');
    cache.evict('s1');
    const after = cache.beginRead('s1');
    after(entry('s1', { role: 'user' }));
    before(entry('s1', { role: 'admin' }));
    expect(cache.lookup('s1')?.user?.role).toBe('user');
  });

  it('an eviction of another session leaves a read alone', () => {
    const { cache } = cacheWith();
    const keep = cache.beginRead('s1');
    cache.evict('s2');
    keep(entry('s1'));
    expect(cache.lookup('s1')).not.toBeNull();
  });

  it('evicts by id, by handle and by account', () => {
    const { cache, read } = cacheWith();
    read(entry('a1', { userId: 'ua' }));
    read(entry('a2', { userId: 'ua' }));
    read(entry('b1', { userId: 'ub' }));
    read(entry('c1', { userId: 'uc' }));
    cache.evict('c1');
    cache.evictHandle('handle-of-b1');
    expect(cache.lookup('b1')).toBeNull();
    expect(cache.lookup('c1')).toBeNull();
    expect(cache.size()).toBe(2);
    cache.evictUser('ua');
    expect(cache.size()).toBe(0);
  });

  it('a session past its idle deadline is a miss, as its document is for a read', () => {
    const { cache, read } = cacheWith();
    const now = Date.now();
    read(entry('s1', { expires: now + 1000 }));
    expect(cache.lookup('s1', now + 999)).not.toBeNull();
    expect(cache.lookup('s1', now + 1000)).toBeNull();
    expect(cache.size()).toBe(0);
  });

  it('serves nothing, keeps nothing and forgets everything while the change feed cannot vouch for being current', () => {
    const { cache, trusted, read } = cacheWith();
    read(entry('s1'));
    trusted.value = false;
    expect(cache.lookup('s1')).toBeNull();
    read(entry('s2'));
    trusted.value = true;
    // What was held while evictions might have been missed is gone, not served again.
    expect(cache.lookup('s1')).toBeNull();
    expect(cache.lookup('s2')).toBeNull();
    expect(cache.size()).toBe(0);
  });

  it('keeps at most maxEntries, the least recently used going first', () => {
    const { cache, read } = cacheWith({ maxEntries: 2 });
    read(entry('s1'));
    read(entry('s2'));
    expect(cache.lookup('s1')).not.toBeNull();
    read(entry('s3'));
    expect(cache.size()).toBe(2);
    expect(cache.lookup('s2')).toBeNull();
    expect(cache.lookup('s1')).not.toBeNull();
    expect(cache.lookup('s3')).not.toBeNull();
  });

  it('moves the deadline and last activity only of a held session', () => {
    const { cache, read } = cacheWith();
    const now = Date.now();
    read(entry('s1', { expires: now + 1000 }));
    const lastModified = new Date(now);
    cache.patchTimes('s1', { expires: new Date(now + HOUR), lastModified });
    cache.patchTimes('s2', { expires: new Date(now + HOUR), lastModified });
    expect(cache.lookup('s1', now + 2000)?.lastModified).toEqual(lastModified);
    expect(cache.size()).toBe(1);
  });
});

import { describe, expect, it } from 'vitest';
import { ChangeHistory, compareTs } from './history';

const insert = { kind: 'insert' as const, db: 'app', coll: 'x' };

describe('change history', () => {
  it('a later run starts after every cluster time an earlier run handed out, even within the same second', async () => {
    const first = new ChangeHistory(true);
    first.stage(Array.from({ length: 5000 }, () => ({ ...insert })));
    await new Promise((r) => setTimeout(r, 2));
    const second = new ChangeHistory(true);
    expect(compareTs(second.floor, first.clusterTime)).toBeGreaterThan(0);
    expect(second.instance).not.toBe(first.instance);
  });

  it('keeps the newest entries up to its size; the oldest retained one bounds resuming', () => {
    const h = new ChangeHistory(true, 3);
    const staged = h.stage(Array.from({ length: 5 }, () => ({ ...insert })));
    h.publish(staged);
    expect(h.firstSeq).toBe(2);
    expect(h.nextSeq).toBe(5);
    expect(h.oldest()).toEqual(staged[2]?.ts);
    expect(h.entry(1)).toBeUndefined();
    expect(h.seqAtOrAfter(staged[3]?.ts ?? h.floor)).toBe(3);
  });
});

import { describe, expect, it } from 'vitest';
import { exceedsJsonDepth } from './body';

describe('exceedsJsonDepth', () => {
  it('counts objects and arrays but not brackets inside strings', () => {
    expect(exceedsJsonDepth(Buffer.from('{"a":[{"b":1}]}'), 3)).toBe(false);
    expect(exceedsJsonDepth(Buffer.from('{"a":[{"b":[1]}]}'), 3)).toBe(true);
    expect(exceedsJsonDepth(Buffer.from('{"a":"[[[[[[{{{{"}'), 1)).toBe(false);
    expect(exceedsJsonDepth(Buffer.from('{"a":"\\"[[[["}'), 1)).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import { parseDevice } from './device';

describe('parseDevice', () => {
  it('names browser, OS and platform from common User-Agents', () => {
    expect(parseDevice('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36')).toEqual({
      browser: 'Chrome 131',
      os: 'Windows 10',
      platform: 'desktop',
    });
    expect(
      parseDevice('Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1'),
    ).toMatchObject({ browser: 'Safari 17', platform: 'mobile' });
  });

  it('answers nulls when there is nothing to tell', () => {
    expect(parseDevice(undefined)).toEqual({ browser: null, os: null, platform: null });
    expect(parseDevice('curl/8.5.0')).toMatchObject({ os: null });
  });
});

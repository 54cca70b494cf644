import { describe, expect, it } from 'vitest';
import { createSessionStatus } from './session-status';

describe('session status', () => {
  it('holds an "ended" signal that arrives while the session id is being replaced, and drops it on success', async () => {
    const status = createSessionStatus();
    await status.whileRotating(async () => {
      status.end('revoked');
      expect(status.getEndReason()).toBeNull();
    });
    expect(status.getEndReason()).toBeNull();
  });

  it('delivers the held signal when the replacement fails', async () => {
    const status = createSessionStatus();
    await expect(
      status.whileRotating(async () => {
        status.end('revoked');
        throw new Error('network');
      }),
    ).rejects.toThrow('network');
    expect(status.getEndReason()).toBe('revoked');
  });

  it('says when a session id replacement is on its way (live refetches wait for it)', async () => {
    const status = createSessionStatus();
    expect(status.isRotating()).toBe(false);
    await status.whileRotating(async () => {
      expect(status.isRotating()).toBe(true);
    });
    expect(status.isRotating()).toBe(false);
  });

  it('ignores the echo of a sign-out this tab started', () => {
    const status = createSessionStatus();
    status.beginSignOut();
    status.end('signed_out');
    expect(status.getEndReason()).toBeNull();
  });
});

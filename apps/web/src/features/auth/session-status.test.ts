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

  it('ignores the echo of a sign-out this tab started', () => {
    const status = createSessionStatus();
    status.beginSignOut();
    status.end('signed_out');
    expect(status.getEndReason()).toBeNull();
  });

  it('lets requests wait until the session id being replaced has been replaced', async () => {
    const status = createSessionStatus();
    await expect(status.whenNotRotating()).resolves.toBeUndefined();

    let finishRotation: () => void = () => undefined;
    const rotation = status.whileRotating(() => new Promise<void>((resolve) => (finishRotation = resolve)));
    let hasWaited = false;
    const waiting = status.whenNotRotating().then(() => (hasWaited = true));
    await Promise.resolve();
    expect(hasWaited).toBe(false);

    finishRotation();
    await rotation;
    await waiting;
    expect(hasWaited).toBe(true);
  });
});

import type { Device } from '@gatehouse/types/sessions';

/** "Chrome on Linux": how people recognise their own devices. */
export function describeDevice(device: Device): string {
  const browser = device.browser ?? 'Unknown browser';
  return device.os ? `${browser} on ${device.os}` : browser;
}

import type { Device } from '@gatehouse/types/sessions';
import { sessionMessages } from '../messages/sessions';

/** "Chrome on Linux": how people recognise their own devices. */
export function describeDevice(device: Device): string {
  const browser = device.browser ?? sessionMessages.unknownBrowser;
  return device.os ? sessionMessages.browserOn(browser, device.os) : browser;
}

/** What a session is called: the name its owner gave the browser, else the browser and OS. */
export function sessionTitle(session: { device: Device; deviceName: string | null }): string {
  return session.deviceName ?? describeDevice(session.device);
}

import type { ActivityLog } from '../activity/activity-log';
import type { Places } from '../location/places';
import type { SeenFrom } from '../sessions/device';
import type { MailService } from '../mail/mail-service';
import type { AccountState } from '../sessions/registry';

/**
 * A sign-in from a browser the account had not used: recorded, and mailed to the owner with the device,
 * IP, time and a link to the session list (where the session can be ended); the mail goes after the response.
 */
export function createNewDeviceAlerts({
  mail,
  activity,
  places,
}: {
  mail: MailService;
  activity: Pick<ActivityLog, 'record'>;
  places: Pick<Places, 'locate'>;
}) {
  return async (account: AccountState, seen: SeenFrom & { at: Date }): Promise<void> => {
    const userId = account.user.id;
    await activity.record({ userId, type: 'new_device_sign_in', device: seen.device, ip: seen.ip });
    if (!mail.mailer.isAvailable) return;
    const location = await places.locate(seen.ip);
    mail.sendLater(mail.messages.newDeviceAlert(account.user.email, userId, { ...seen, place: location?.label ?? null }));
  };
}

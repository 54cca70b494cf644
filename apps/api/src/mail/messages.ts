import escapeHtml from 'escape-html';
import type { Device } from '@gatehouse/types/sessions';
import type { Links } from './links';

export const PRODUCT_NAME = 'Gatehouse';

/** Every kind of mail the server sends; logs name the kind, never the content. */
export type MailKind =
  | 'email_verification'
  | 'registration_attempt'
  | 'password_reset'
  | 'password_reset_notice'
  | 'email_change_verification'
  | 'email_change_requested_notice'
  | 'email_change_conflict'
  | 'email_changed_notice'
  | 'new_device_alert'
  | 'recovery_code_used';

export interface MailMessage {
  kind: MailKind;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The account it is about, for the log line (the address itself is never logged). */
  userId: string | null;
}

interface Content {
  subject: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  /** After the button: what to do if this was not you, how long the link works. */
  footnotes?: string[];
}

const SIGNATURE = `— ${PRODUCT_NAME}`;

function toText({ paragraphs, action, footnotes = [] }: Content): string {
  const blocks = ['Hello,', ...paragraphs];
  if (action) blocks.push(`${action.label}:\n${action.url}`);
  blocks.push(...footnotes, SIGNATURE);
  return `${blocks.join('\n\n')}\n`;
}

function toHtml({ subject, paragraphs, action, footnotes = [] }: Content): string {
  // pre-line keeps the line breaks of a paragraph such as the new-device details.
  const p = (text: string) => `<p style="white-space:pre-line">${escapeHtml(text)}</p>`;
  const button = action
    ? `<p><a href="${escapeHtml(action.url)}" style="display:inline-block;padding:10px 16px;background:#1d4ed8;color:#ffffff;text-decoration:none;border-radius:6px">${escapeHtml(action.label)}</a></p>` +
      `<p style="font-size:13px;color:#555555">Or copy this address into your browser: <a href="${escapeHtml(action.url)}">${escapeHtml(action.url)}</a></p>`
    : '';
  return [
    '<!doctype html>',
    `<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family:system-ui,sans-serif;line-height:1.5;color:#111111;max-width:560px;margin:0 auto;padding:16px">',
    p('Hello,'),
    ...paragraphs.map(p),
    button,
    ...footnotes.map((text) => `<p style="font-size:13px;color:#555555">${escapeHtml(text)}</p>`),
    p(SIGNATURE),
    '</body></html>',
  ].join('\n');
}

function compose(kind: MailKind, to: string, userId: string | null, content: Content): MailMessage {
  const subject = `${PRODUCT_NAME}: ${content.subject}`;
  const full = { ...content, subject };
  return { kind, to, userId, subject, text: toText(full), html: toHtml(full) };
}

const minutes = (seconds: number) => Math.round(seconds / 60);
const validFor = (seconds: number) => (seconds >= 7200 && seconds % 3600 === 0 ? `${seconds / 3600} hours` : `${minutes(seconds)} minutes`);

export function describeDevice(device: Device): string {
  const what = device.browser ?? 'An unknown browser';
  const where = device.os ? ` on ${device.os}` : '';
  const kind = device.platform ? ` (${device.platform})` : '';
  return `${what}${where}${kind}`;
}

/** `2026-11-27 10:28 UTC`: unambiguous wherever the reader is. */
export function formatUtc(at: Date): string {
  return `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** The mail the server sends, each with a plain-text and an HTML part. */
export function createMessages(links: Links) {
  return {
    emailVerification(to: string, userId: string, token: string, ttlSeconds: number): MailMessage {
      return compose('email_verification', to, userId, {
        subject: 'confirm your email address',
        paragraphs: [`Confirm that ${to} is your address to finish setting up your ${PRODUCT_NAME} account. The link also signs you in.`],
        action: { label: 'Confirm my address', url: links.verifyEmail(token) },
        footnotes: [
          `The link works once, for ${validFor(ttlSeconds)}.`,
          `If you did not create an account, ignore this mail: nothing happens without the link.`,
        ],
      });
    },

    /** To the owner of an address someone tried to register again (no enumeration: the form answered as for a new one). */
    registrationAttempt(to: string, userId: string): MailMessage {
      return compose('registration_attempt', to, userId, {
        subject: 'someone tried to create an account with your address',
        paragraphs: [
          `Someone tried to create a new ${PRODUCT_NAME} account with ${to}. You already have an account with this address, so no new account was created.`,
          `If it was you: sign in with your password, or set a new one if you forgot it (${links.forgotPassword()}).`,
        ],
        action: { label: 'Sign in', url: links.signIn() },
        footnotes: ['If it was not you, you need not do anything: your account is unchanged.'],
      });
    },

    passwordReset(to: string, userId: string, token: string, { byAdmin }: { byAdmin: boolean }): MailMessage {
      return compose('password_reset', to, userId, {
        subject: 'set a new password',
        paragraphs: [
          byAdmin
            ? `An administrator asked ${PRODUCT_NAME} to send you a link to set a new password for your account.`
            : `Someone (hopefully you) asked to reset the password of your ${PRODUCT_NAME} account.`,
          'Setting a new password signs your account out everywhere.',
        ],
        action: { label: 'Set a new password', url: links.resetPassword(token) },
        footnotes: [
          `The link works once, for ${validFor(30 * 60)}; asking for another link makes this one stop working.`,
          'If you did not ask for this, ignore this mail: your password stays as it is.',
        ],
      });
    },

    passwordResetNotice(to: string, userId: string, endedSessions: number): MailMessage {
      return compose('password_reset_notice', to, userId, {
        subject: 'your password was changed',
        paragraphs: [
          `The password of your ${PRODUCT_NAME} account was just set through a reset link, and every session of the account was signed out (${endedSessions}).`,
        ],
        action: { label: 'Sign in', url: links.signIn() },
        footnotes: [`If this was not you, set a new password at once (${links.forgotPassword()}) and tell an administrator.`],
      });
    },

    emailChangeVerification(to: string, userId: string, token: string, ttlSeconds: number): MailMessage {
      return compose('email_change_verification', to, userId, {
        subject: 'confirm your new email address',
        paragraphs: [`Confirm that ${to} should become the address of your ${PRODUCT_NAME} account. Until you do, the account keeps its current address.`],
        action: { label: 'Confirm the new address', url: links.verifyEmail(token) },
        footnotes: [`The link works once, for ${validFor(ttlSeconds)}.`, 'If you did not ask for this, ignore this mail.'],
      });
    },

    /**
     * To the current address the moment a change is asked for (S35): whoever holds a session could ask,
     * so the owner of the mailbox gets a way to stop it before the new address's link is followed.
     */
    emailChangeRequestedNotice(to: string, userId: string, newEmail: string, cancelToken: string, ttlSeconds: number): MailMessage {
      return compose('email_change_requested_notice', to, userId, {
        subject: 'someone asked to change your email address',
        paragraphs: [
          `Someone asked to change the address of your ${PRODUCT_NAME} account from ${to} to ${newEmail}. It changes only once a link mailed to the new address is followed.`,
          `If this was you, you need not do anything. If it wasn't you, cancel the change with the link below, then change your password (${links.forgotPassword()}): someone may have access to your account.`,
        ],
        action: { label: 'Cancel the change', url: links.cancelEmailChange(cancelToken) },
        footnotes: [`The link works once, for ${validFor(ttlSeconds)}, and only until the change applies.`],
      });
    },

    /** The address asked for already belongs to another account; its owner is told, the requester is not. */
    emailChangeConflict(to: string, userId: string): MailMessage {
      return compose('email_change_conflict', to, userId, {
        subject: 'someone tried to use your address',
        paragraphs: [`Someone asked to move another ${PRODUCT_NAME} account to ${to}. This address already belongs to your account, so nothing changed.`],
        action: { label: 'Open your account', url: links.dashboard() },
        footnotes: ['If it was you, you already have an account with this address: sign in to it instead.'],
      });
    },

    emailChangedNotice(to: string, userId: string, newEmail: string): MailMessage {
      return compose('email_changed_notice', to, userId, {
        subject: 'your email address was changed',
        paragraphs: [`The address of your ${PRODUCT_NAME} account was changed from ${to} to ${newEmail}. Mail about the account now goes there.`],
        footnotes: ['If you did not do this, tell an administrator at once: someone may have access to your account.'],
      });
    },

    newDeviceAlert(to: string, userId: string, seen: { device: Device; ip: string | null; place: string | null; at: Date }): MailMessage {
      return compose('new_device_alert', to, userId, {
        subject: 'new sign-in to your account',
        paragraphs: [
          `Your ${PRODUCT_NAME} account was just signed in to from a device it had not used before:`,
          `Device: ${describeDevice(seen.device)}\nIP address: ${seen.ip ?? 'unknown'}${seen.place ? `\nApproximate location: ${seen.place}` : ''}\nTime: ${formatUtc(seen.at)}`,
          'If this was you, you need not do anything.',
        ],
        action: { label: 'Review your sessions', url: links.dashboard() },
        footnotes: ['If it was not you, end that session from your sessions list and change your password.'],
      });
    },

    recoveryCodeUsed(to: string, userId: string, seen: { device: Device; ip: string | null; at: Date; codesLeft: number }): MailMessage {
      return compose('recovery_code_used', to, userId, {
        subject: 'a recovery code was used to sign in',
        paragraphs: [
          `Your ${PRODUCT_NAME} account was signed in to with a recovery code instead of a code from your authenticator app:`,
          `Device: ${describeDevice(seen.device)}\nIP address: ${seen.ip ?? 'unknown'}\nTime: ${formatUtc(seen.at)}`,
          `Recovery codes left: ${seen.codesLeft}. Each works once; make new ones from your dashboard when they run low.`,
        ],
        action: { label: 'Review your sessions', url: links.dashboard() },
        footnotes: ['If it was not you, end that session, change your password and make new recovery codes.'],
      });
    },
  };
}

export type Messages = ReturnType<typeof createMessages>;

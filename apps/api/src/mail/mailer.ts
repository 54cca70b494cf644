import { createTransport } from 'nodemailer';
import type { Logger } from 'pino';
import type { MailConfig } from '../config';
import { createDevOutbox } from './outbox';
import type { DevOutbox } from './outbox';
import type { MailMessage } from './messages';

export interface Mailer {
  /**
   * Whether mail can reach anyone: SMTP is configured, or (outside production) the dev outbox keeps it.
   * Features that need mail answer 503 `mail_unavailable` when it cannot.
   */
  isAvailable: boolean;
  /** Outside production: where every message is kept (GET /api/dev/outbox). */
  outbox: DevOutbox | null;
  /** Sends one message (SMTP, and the outbox outside production). Never throws: failures are logged. */
  deliver(message: MailMessage): Promise<boolean>;
  /** Checks that the SMTP server answers, for the start-up log; false without SMTP or when it does not. */
  verify(): Promise<boolean>;
  close(): void;
}

/** What may be logged of an SMTP failure: codes, never the server's text (it can quote the address). */
function describeSmtpError(error: unknown): { code?: string; responseCode?: number } {
  if (typeof error !== 'object' || error === null) return {};
  const { code, responseCode } = error as { code?: unknown; responseCode?: unknown };
  return { ...(typeof code === 'string' ? { code } : {}), ...(typeof responseCode === 'number' ? { responseCode } : {}) };
}

/**
 * Mail through nodemailer over SMTP (`SMTP_URL`), and outside production into the data directory as
 * well, so `npm start` needs nothing to show the mail it sends. One log line per message: its kind, the
 * account id and where it went; never the address, the text or a link (links carry tokens, S33).
 */
export function createMailer({ mail, logger }: { mail: MailConfig; logger: Logger }): Mailer {
  const transport = mail.smtpUrl ? createTransport({ url: mail.smtpUrl, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 }) : null;
  const outbox = mail.outboxDir ? createDevOutbox(mail.outboxDir) : null;
  const outboxPage = `${mail.publicUrl}/dev/outbox`;

  return {
    isAvailable: transport !== null || outbox !== null,
    outbox,

    async deliver(message) {
      const about = { kind: message.kind, userId: message.userId };
      let isDelivered = false;
      if (outbox) {
        const stored = await outbox.save(message);
        logger.info({ mail: { ...about, outboxId: stored.id } }, `mail: ${message.kind} kept in the dev outbox (${outboxPage})`);
        isDelivered = true;
      }
      if (transport) {
        try {
          const sent = await transport.sendMail({ from: mail.from, to: message.to, subject: message.subject, text: message.text, html: message.html });
          logger.info({ mail: { ...about, messageId: sent.messageId } }, `mail: ${message.kind} sent over SMTP`);
          isDelivered = true;
        } catch (error) {
          logger.error({ mail: { ...about, error: describeSmtpError(error) } }, `mail: ${message.kind} could not be sent over SMTP`);
        }
      }
      if (!transport && !outbox) logger.warn({ mail: about }, `mail: ${message.kind} not sent: SMTP_URL is not set`);
      return isDelivered;
    },

    async verify() {
      if (!transport) return false;
      try {
        await transport.verify();
        return true;
      } catch (error) {
        logger.warn({ mail: { error: describeSmtpError(error) } }, 'mail: the SMTP server does not answer yet; messages will be tried as they come');
        return false;
      }
    },

    close() {
      transport?.close();
    },
  };
}

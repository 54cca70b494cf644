import type { Logger } from 'pino';
import type { Config } from '../config';
import { HttpError } from '../http/errors';
import type { BackgroundJobs } from '../jobs/background-jobs';
import { createLinks } from './links';
import { createMailer } from './mailer';
import type { Mailer } from './mailer';
import { createMessages } from './messages';
import type { MailMessage, Messages } from './messages';

export interface MailService {
  mailer: Mailer;
  messages: Messages;
  /** Delivers after the response (S18/S34 timing; SMTP may be slow). */
  sendLater(message: MailMessage): void;
  /** For features that cannot work without mail: 503 `mail_unavailable`, said plainly. */
  requireAvailable(): void;
}

export const mailUnavailable = () =>
  new HttpError(503, 'mail_unavailable', 'This server cannot send mail (SMTP_URL is not set), so this needs an administrator.');

export function createMailService({ config, logger, jobs }: { config: Pick<Config, 'mail'>; logger: Logger; jobs: BackgroundJobs }): MailService {
  const mailer = createMailer({ mail: config.mail, logger });
  return {
    mailer,
    messages: createMessages(createLinks(config.mail.publicUrl)),
    sendLater(message) {
      jobs.run(`mail ${message.kind}`, async () => {
        await mailer.deliver(message);
      });
    },
    requireAvailable() {
      if (!mailer.isAvailable) throw mailUnavailable();
    },
  };
}

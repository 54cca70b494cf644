import { expect } from 'vitest';
import type { OutboxListResponse, OutboxMessage } from '@gatehouse/types/dev';
import type { StoredMessage } from '../mail/outbox';
import { httpRequest, parseJson, waitFor } from './http-client';
import type { TestApp } from './test-app';

/** Every message the app kept in its dev outbox so far, newest first, once its background work is done. */
export async function outbox(t: Pick<TestApp, 'services'>): Promise<StoredMessage[]> {
  await t.services.jobs.settled();
  const kept = t.services.mail.mailer.outbox;
  if (!kept) throw new Error('this app has no dev outbox (production?)');
  return kept.list();
}

/** Messages to this address whose subject contains `subject`, newest first. */
export async function mailTo(t: Pick<TestApp, 'services'>, to: string, subject = ''): Promise<StoredMessage[]> {
  return (await outbox(t)).filter((message) => message.to === to && message.subject.includes(subject));
}

/** The one newest message to this address with that subject; fails the test when there is none. */
export async function lastMailTo(t: Pick<TestApp, 'services'>, to: string, subject = ''): Promise<StoredMessage> {
  const [newest] = await mailTo(t, to, subject);
  expect(newest, `a mail to ${to} about "${subject}"`).toBeDefined();
  return newest as StoredMessage;
}

/** The token of the one link in a message that carries one (`…?token=…`). */
export function tokenIn(message: Pick<OutboxMessage, 'text'>): string {
  const links = [...message.text.matchAll(/https?:\/\/\S+\?token=([A-Za-z0-9_-]+)/g)].map((match) => match[1] ?? '');
  expect(links, 'links with a token').toHaveLength(1);
  return links[0] as string;
}

/** A process's outbox through GET /api/dev/outbox, waiting for a message to this address (spawned APIs). */
export function waitForMail(baseUrl: string, to: string, subject = ''): Promise<OutboxMessage> {
  return waitFor(
    async () => {
      const res = await httpRequest(baseUrl, '/api/dev/outbox');
      return parseJson<OutboxListResponse>(res).messages.find((message) => message.to === to && message.subject.includes(subject));
    },
    { timeoutMs: 10_000, what: `a mail to ${to}` },
  );
}

import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { OutboxMessage } from '@gatehouse/types/dev';
import type { MailMessage } from './messages';

/** What the outbox keeps of a message: the listing's fields and the HTML part. */
export interface StoredMessage extends OutboxMessage {
  html: string;
}

/** Enough for any development session; the oldest files go beyond it. */
export const OUTBOX_KEEP = 500;
const FILE_PATTERN = /^\d{13}-[a-f0-9]{24}\.json$/;

export interface DevOutbox {
  save(message: MailMessage): Promise<StoredMessage>;
  /** Newest first. */
  list(): Promise<StoredMessage[]>;
  get(id: string): Promise<StoredMessage | null>;
}

/**
 * Development and tests: every message lands in `dir`, one file each. The messages hold live sign-in and
 * reset links, so the directory is 0700 and each file 0600, like the rest of the data directory (S39).
 */
export function createDevOutbox(dir: string): DevOutbox {
  let isReady: Promise<void> | undefined;
  const ready = () =>
    (isReady ??= (async () => {
      await mkdir(dir, { recursive: true, mode: 0o700 });
      await chmod(dir, 0o700);
    })());

  async function fileNames(): Promise<string[]> {
    await ready();
    // Names start with the time in milliseconds, so sorting them sorts the messages.
    return (await readdir(dir))
      .filter((name) => FILE_PATTERN.test(name))
      .sort()
      .reverse();
  }

  async function read(name: string): Promise<StoredMessage | null> {
    try {
      return JSON.parse(await readFile(join(dir, name), 'utf8')) as StoredMessage;
    } catch {
      return null;
    }
  }

  return {
    async save(message) {
      await ready();
      const now = new Date();
      const stored: StoredMessage = {
        id: randomBytes(12).toString('hex'),
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        createdAt: now.toISOString(),
      };
      await writeFile(join(dir, `${now.getTime()}-${stored.id}.json`), `${JSON.stringify(stored)}\n`, { mode: 0o600, flag: 'wx' });
      const names = await fileNames();
      await Promise.all(names.slice(OUTBOX_KEEP).map((name) => rm(join(dir, name), { force: true })));
      return stored;
    },

    async list() {
      const messages = await Promise.all((await fileNames()).map(read));
      return messages.filter((message): message is StoredMessage => message !== null);
    },

    async get(id) {
      const name = (await fileNames()).find((candidate) => candidate.endsWith(`-${id}.json`));
      return name ? read(name) : null;
    },
  };
}

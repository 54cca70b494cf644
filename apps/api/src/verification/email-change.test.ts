import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivityListResponseSchema } from '@gatehouse/types/activity';
import { MeResponseSchema } from '@gatehouse/types/auth';
import { CancelEmailChangeResponseSchema } from '@gatehouse/types/email';
import { ErrorBodySchema } from '@gatehouse/types/errors';
import { createAccount, newCredentials } from '../test/accounts';
import { lastMailTo, mailTo, outbox, tokenIn } from '../test/mail';
import { register } from '../test/sign-in';
import { createTestApp } from '../test/test-app';
import type { TestApp } from '../test/test-app';

const CHANGE_SUBJECT = 'confirm your new email address';
const CANCEL_SUBJECT = 'someone asked to change your email address';
const errorCode = (body: unknown) => ErrorBodySchema.parse(body).error.code;
const me = async (agent: supertest.Agent) => MeResponseSchema.parse((await agent.get('/api/auth/me')).body);

describe('S35: the current address hears of a change at once and can call it off', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const cancel = (token: string) => supertest(t.app).post('/api/auth/email/change/cancel').send({ token });
  const follow = (token: string) => supertest(t.app).post('/api/auth/email/verify').send({ token });

  /** An account that asked to move to a fresh address, with the links both mailboxes received. */
  async function askedToChange() {
    const account = await register(t.agent());
    const newEmail = newCredentials().email;
    expect((await account.agent.post('/api/auth/email/change').send({ email: newEmail })).status).toBe(202);
    const notice = await lastMailTo(t, account.email, CANCEL_SUBJECT);
    const changeLink = tokenIn(await lastMailTo(t, newEmail, CHANGE_SUBJECT));
    return { account, newEmail, notice, cancelLink: tokenIn(notice), changeLink };
  }

  it('S35: right after the request the outbox holds a message to the old address, naming the new one, with a cancel link', async () => {
    const account = await register(t.agent());
    const newEmail = newCredentials().email;
    expect((await account.agent.post('/api/auth/email/change').send({ email: newEmail })).status).toBe(202);

    const toOldAddress = (await outbox(t)).filter((message) => message.to === account.email && message.subject.includes(CANCEL_SUBJECT));
    expect(toOldAddress).toHaveLength(1);
    const [notice] = toOldAddress;
    expect(notice?.text).toContain(newEmail);
    expect(notice?.text).toContain(`${t.config.mail.publicUrl}/cancel-email-change?token=`);
    expect(notice?.text).toContain('change your password');
    expect(notice?.html).toContain('Cancel the change');
  });

  it('S35: following the cancel link calls the change off: the new address’s link is then invalid_token and the address stays', async () => {
    const { account, newEmail, cancelLink, changeLink } = await askedToChange();

    const cancelled = await cancel(cancelLink);
    expect(cancelled.status).toBe(200);
    expect(CancelEmailChangeResponseSchema.parse(cancelled.body).message).toMatch(/^The change of address was called off/);

    const followed = await follow(changeLink);
    expect(followed.status).toBe(400);
    expect(errorCode(followed.body)).toBe('invalid_token');
    expect((await me(account.agent)).user.email).toBe(account.email);
    expect(await mailTo(t, account.email, 'your email address was changed')).toHaveLength(0);
    expect((await supertest(t.app).post('/api/auth/login').send({ email: newEmail, password: account.password })).status).toBe(401);

    const events = ActivityListResponseSchema.parse((await account.agent.get('/api/activity')).body).events.map((event) => event.type);
    expect(events).toEqual(expect.arrayContaining(['email_change_requested', 'email_change_cancelled']));
    expect(t.logLines().some((line) => line['authEvent'] === 'email_change_cancelled')).toBe(true);
  });

  it('S33, S35: the cancel link works once', async () => {
    const { cancelLink } = await askedToChange();
    expect((await cancel(cancelLink)).status).toBe(200);
    const again = await cancel(cancelLink);
    expect(again.status).toBe(400);
    expect(errorCode(again.body)).toBe('invalid_token');
  });

  it('S35: a cancel link followed after the change applied is invalid_token, and the new address stays', async () => {
    const { account, newEmail, cancelLink, changeLink } = await askedToChange();
    expect((await follow(changeLink)).status).toBe(200);

    const late = await cancel(cancelLink);
    expect(late.status).toBe(400);
    expect(errorCode(late.body)).toBe('invalid_token');
    expect((await me(account.agent)).user.email).toBe(newEmail);
  });

  it('S35: a made-up or malformed cancel link is refused', async () => {
    const madeUp = await cancel('A'.repeat(43));
    expect(madeUp.status).toBe(400);
    expect(errorCode(madeUp.body)).toBe('invalid_token');
    expect(errorCode((await supertest(t.app).post('/api/auth/email/change/cancel').send({})).body)).toBe('validation_failed');
  });

  it('S34, S35: the requester gets the same answer, and the old address the same mail, whether the new address is taken or not', async () => {
    const asking = await register(t.agent());
    const other = await createAccount(t);
    const free = newCredentials().email;

    const taken = await asking.agent.post('/api/auth/email/change').send({ email: other.email });
    const takenNotice = await lastMailTo(t, asking.email, CANCEL_SUBJECT);
    const open = await asking.agent.post('/api/auth/email/change').send({ email: free });
    const openNotice = await lastMailTo(t, asking.email, CANCEL_SUBJECT);

    expect(taken.status).toBe(open.status);
    expect(taken.body).toEqual({
      ...(open.body as object),
      message: (open.body as { message: string }).message.replace(free, other.email),
      pendingEmail: other.email,
    });
    expect(takenNotice.subject).toBe(openNotice.subject);
    expect(takenNotice.text.replaceAll(other.email, free).replace(tokenIn(takenNotice), tokenIn(openNotice))).toBe(openNotice.text);

    // Calling off works the same too; the newer request replaced the older's links.
    expect((await cancel(tokenIn(takenNotice))).status).toBe(400);
    expect((await cancel(tokenIn(openNotice))).status).toBe(200);
    expect(errorCode((await follow(tokenIn(await lastMailTo(t, free, CHANGE_SUBJECT)))).body)).toBe('invalid_token');
  });
});

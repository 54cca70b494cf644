import { Router } from 'express';
import type { RequestHandler } from 'express';
import { AddPasskeyRequestSchema, PasskeyParamsSchema, RemovePasskeyRequestSchema, RenamePasskeyRequestSchema } from '@gatehouse/types/passkeys';
import type { AddPasskeyResponse, PasskeyListResponse, PasskeyRegistrationOptionsResponse, PasskeyResponse } from '@gatehouse/types/passkeys';
import type { ActivityLog } from '../activity/activity-log';
import { seenFrom } from '../sessions/device';
import { isDuplicateKeyError } from '../db/errors';
import { HttpError, notFound } from '../http/errors';
import { requireUser, signedInUser } from '../sessions/signed-in';
import type { FactorChanges } from '../second-factor/factor-changes';
import type { PasskeyStore } from './passkey-store';
import type { RelyingParty } from './relying-party';

export interface PasskeysRouterDeps {
  store: PasskeyStore;
  relyingParty: Pick<RelyingParty, 'registrationOptions' | 'verifyRegistration'>;
  activity: Pick<ActivityLog, 'record'>;
  requireFreshAuth: RequestHandler;
  factorChanges: FactorChanges;
}

/** Mounted at /api/account/passkeys: the signed-in account's passkeys. Adding and removing need a fresh proof (S13). */
export function createPasskeysRouter({ store, relyingParty, activity, requireFreshAuth, factorChanges }: PasskeysRouterDeps): Router {
  const router = Router();
  router.use(requireUser);

  router.get('/', async (req, res) => {
    const body: PasskeyListResponse = { passkeys: await store.listForUser(signedInUser(req).userId) };
    res.json(body);
  });

  router.post('/options', requireFreshAuth, async (req, res) => {
    const { userId, user } = signedInUser(req);
    await factorChanges.requireVerifiedEmail(userId);
    const [userHandle, existing] = await Promise.all([store.userHandleOf(userId), store.credentialsOf(userId)]);
    const options = await relyingParty.registrationOptions({ userId, userHandle, email: user.email, name: user.name, existing });
    const body: PasskeyRegistrationOptionsResponse = { options };
    res.json(body);
  });

  router.post('/', requireFreshAuth, async (req, res) => {
    const person = signedInUser(req);
    const { userId } = person;
    const { name, credential, signOutOtherSessions } = AddPasskeyRequestSchema.parse(req.body);
    await factorChanges.requireVerifiedEmail(userId);
    const made = await relyingParty.verifyRegistration(userId, credential);
    let passkey;
    try {
      passkey = await store.add({ ...made, userId, name });
    } catch (error) {
      if (isDuplicateKeyError(error)) throw new HttpError(409, 'passkey_rejected', 'This passkey is already registered.');
      throw error;
    }
    await activity.record({ userId, type: 'passkey_added', passkeyName: name, ...seenFrom(req) });
    req.log.info({ authEvent: 'passkey_added', userId }, 'auth: passkey_added');
    const endedSessions = await factorChanges.afterChange(person, { signOutOtherSessions });
    const body: AddPasskeyResponse = { passkey, endedSessions };
    res.status(201).json(body);
  });

  router.patch('/:id', async (req, res) => {
    const { userId } = signedInUser(req);
    const { id } = PasskeyParamsSchema.parse(req.params);
    const { name } = RenamePasskeyRequestSchema.parse(req.body);
    const passkey = await store.rename(userId, id, name);
    if (!passkey) throw notFound();
    const body: PasskeyResponse = { passkey };
    res.json(body);
  });

  router.delete('/:id', requireFreshAuth, async (req, res) => {
    const person = signedInUser(req);
    const { userId } = person;
    const { id } = PasskeyParamsSchema.parse(req.params);
    const { signOutOtherSessions } = RemovePasskeyRequestSchema.parse(req.body ?? {});
    const removed = await store.remove(userId, id);
    if (!removed) throw notFound();
    await activity.record({ userId, type: 'passkey_removed', passkeyName: removed.name, ...seenFrom(req) });
    req.log.info({ authEvent: 'passkey_removed', userId }, 'auth: passkey_removed');
    await factorChanges.afterChange(person, { signOutOtherSessions });
    res.status(204).end();
  });

  return router;
}

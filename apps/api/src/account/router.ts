import { Router } from 'express';
import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import { DeleteAccountRequestSchema } from '@gatehouse/types/account';
import { unauthenticated, validationFailed } from '../http/errors';
import type { SessionRegistry } from '../sessions/registry';
import { requireUser, signedInUser } from '../sessions/signed-in';
import type { AccountLeaving } from './leaving';

export interface LeavingRouterDeps {
  leaving: AccountLeaving;
  registry: Pick<SessionRegistry, 'endThisSession'>;
  requireFreshAuth: RequestHandler;
  logger: Pick<Logger, 'info'>;
}

/** `gatehouse-account-2026-12-07.json`: a name that says what and when, with nothing personal in it. */
const exportFileName = (at: string) => `gatehouse-account-${at.slice(0, 10)}.json`;

/** Mounted at /api/account: the export of one's data, and deleting the account. */
export function createLeavingRouter({ leaving, registry, requireFreshAuth, logger }: LeavingRouterDeps): Router {
  const router = Router();

  router.get('/export', requireUser, async (req, res) => {
    const { userId, sid } = signedInUser(req);
    const body = await leaving.exportFor(userId, sid);
    if (!body) throw unauthenticated();
    res.attachment(exportFileName(body.exportedAt)).json(body);
  });

  router.delete('/', requireFreshAuth, async (req, res) => {
    const { userId, user } = signedInUser(req);
    const { confirm } = DeleteAccountRequestSchema.parse(req.body);
    if (confirm !== user.email.toLowerCase()) throw validationFailed({ confirm: 'Type the email address of this account to confirm' });
    const report = await leaving.deleteAccount({ userId, email: user.email });
    logger.info({ authEvent: 'account_deleted', userId, removed: report }, 'auth: account_deleted');
    // The session this request runs in ended with the others: the browser is told to forget it.
    await registry.endThisSession(req, res, { reason: 'revoked', actor: 'self' }, { forgetClient: true });
    res.status(204).end();
  });

  return router;
}

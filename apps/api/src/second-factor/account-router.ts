import { Router } from 'express';
import type { RequestHandler } from 'express';
import { TotpConfirmRequestSchema, TotpDisableRequestSchema } from '@gatehouse/types/second-factor';
import type { RecoveryCodesResponse, SecondFactorStatusResponse, TotpConfirmResponse, TotpEnrolmentResponse } from '@gatehouse/types/second-factor';
import type { ActivityLog } from '../activity/activity-log';
import { seenFrom } from '../sessions/device';
import type { Config } from '../config';
import { HttpError, invalidCode } from '../http/errors';
import { requireUser, signedInUser } from '../sessions/signed-in';
import { checkedCode } from '../throttle/code-throttle';
import type { CodeThrottle } from '../throttle/code-throttle';
import type { FactorChanges } from './factor-changes';
import { TotpStateError } from './second-factors';
import type { SecondFactors } from './second-factors';

export interface SecondFactorRouterDeps {
  config: Pick<Config, 'requireAdminSecondFactor'>;
  secondFactors: SecondFactors;
  throttle: Pick<CodeThrottle, 'beginCodeCheck'>;
  activity: Pick<ActivityLog, 'record'>;
  requireFreshAuth: RequestHandler;
  factorChanges: FactorChanges;
}

function stateError(error: unknown): unknown {
  if (!(error instanceof TotpStateError)) return error;
  if (error.state === 'already_enabled')
    return new HttpError(409, 'totp_already_enabled', 'An authenticator app is already set up. Turn it off first to set up another.');
  if (error.state === 'not_enabled') return new HttpError(409, 'totp_not_enabled', 'No authenticator app is set up.');
  return new HttpError(409, 'totp_not_enabled', 'This set-up expired. Start setting up the authenticator app again.');
}

/** Mounted at /api/account: the authenticator app (TOTP) and recovery codes of the signed-in account. */
export function createSecondFactorRouter({ config, secondFactors, throttle, activity, requireFreshAuth, factorChanges }: SecondFactorRouterDeps): Router {
  const router = Router();
  router.use(requireUser);

  router.get('/second-factor', async (req, res) => {
    const { userId, user } = signedInUser(req);
    const status = await secondFactors.status(userId);
    const body: SecondFactorStatusResponse = {
      totp: { isEnabled: status.isEnabled, enabledAt: status.enabledAt?.toISOString() ?? null },
      recoveryCodesLeft: status.recoveryCodesLeft,
      isRequiredForAdmin: config.requireAdminSecondFactor && user.role === 'admin',
    };
    res.json(body);
  });

  /** Step one: a new secret, shown this once; nothing changes until a code confirms it. */
  router.post('/totp', requireFreshAuth, async (req, res) => {
    const { userId, user } = signedInUser(req);
    await factorChanges.requireVerifiedEmail(userId);
    const body: TotpEnrolmentResponse = await secondFactors.beginEnrolment(userId, user.email).catch((error: unknown) => {
      throw stateError(error);
    });
    res.json(body);
  });

  /** Step two: the first valid code turns it on; the recovery codes are shown this once. */
  router.post('/totp/confirm', async (req, res) => {
    const person = signedInUser(req);
    const { userId } = person;
    const { code, signOutOtherSessions } = TotpConfirmRequestSchema.parse(req.body);
    const attempt = await throttle.beginCodeCheck({ userId, ip: req.ip ?? 'unknown', pendingSignIn: null, knownDeviceKey: person.deviceKey });
    const recoveryCodes = await checkedCode(attempt, () => secondFactors.confirmEnrolment(userId, code)).catch((error: unknown) => {
      throw stateError(error);
    });
    if (!recoveryCodes) throw invalidCode();
    const seen = seenFrom(req);
    await activity.record({ userId, type: 'totp_enabled', ...seen });
    req.log.info({ authEvent: 'totp_enabled', userId }, 'auth: totp_enabled');
    // This session keeps the level it was signed in with: enrolling raises nothing (S42).
    const endedSessions = await factorChanges.afterChange(person, { signOutOtherSessions });
    const body: TotpConfirmResponse = { recoveryCodes, endedSessions };
    res.json(body);
  });

  router.delete('/totp', requireFreshAuth, async (req, res) => {
    const person = signedInUser(req);
    const { userId } = person;
    const { signOutOtherSessions } = TotpDisableRequestSchema.parse(req.body ?? {});
    if (!(await secondFactors.disable(userId))) throw stateError(new TotpStateError('not_enabled'));
    await activity.record({ userId, type: 'totp_disabled', ...seenFrom(req) });
    req.log.info({ authEvent: 'totp_disabled', userId }, 'auth: totp_disabled');
    await factorChanges.afterChange(person, { signOutOtherSessions });
    res.status(204).end();
  });

  /** New codes replace every old one, used or not. */
  router.post('/recovery-codes', requireFreshAuth, async (req, res) => {
    const { userId } = signedInUser(req);
    const recoveryCodes = await secondFactors.regenerateRecoveryCodes(userId).catch((error: unknown) => {
      throw stateError(error);
    });
    const body: RecoveryCodesResponse = { recoveryCodes };
    res.json(body);
  });

  return router;
}

import { Router } from 'express';
import type { Request } from 'express';
import { RegisterRequestSchema } from '@gatehouse/types/auth';
import type { RegisterResponse } from '@gatehouse/types/auth';
import type { ActivityLog } from '../activity/activity-log';
import type { BreachedPasswords } from '../breached-passwords/range-lookup';
import { passwordBreached, validationFailed } from '../http/errors';
import type { BackgroundJobs } from '../jobs/background-jobs';
import type { MailService } from '../mail/mail-service';
import type { MailThrottle } from '../throttle/mail-throttle';
import type { UserDirectory } from '../users/directory';
import type { EmailVerification } from '../verification/email-verification';
import type { PasswordHasher } from './passwords';
import { passwordProblem } from './password-policy';
import { seenFrom } from '../sessions/device';
import type { LoginThrottle } from '../throttle/login-throttle';

export interface RegistrationRouterDeps {
  users: Pick<UserDirectory, 'register' | 'contactByEmail'>;
  hasher: Pick<PasswordHasher, 'hash'>;
  breaches: Pick<BreachedPasswords, 'check'>;
  throttle: Pick<LoginThrottle, 'takeRegistration'>;
  mailThrottle: Pick<MailThrottle, 'takeMailRequest'>;
  mail: MailService;
  verification: EmailVerification;
  activity: Pick<ActivityLog, 'record'>;
  jobs: BackgroundJobs;
}

/** Byte for byte the same for every address (it does not even echo the address): S18, S34. */
function answer(isMailAvailable: boolean): RegisterResponse {
  return isMailAvailable
    ? { mail: 'sent', message: 'Check your inbox: we sent you a mail. Follow its link to confirm your address, or sign in right away.' }
    : { mail: 'unavailable', message: 'This server cannot send mail, so no confirmation link was sent. Sign in with the password you chose.' };
}

/**
 * Mounted at /api/auth. Registration starts no session and answers a new address and one that already
 * has an account alike (202, same body, no cookie, the same password hashing either way, S18/S34); the
 * mail tells the difference, to the owner of the address only: a verification link, or a notice that
 * someone tried to register it.
 */
export function createRegistrationRouter({
  users,
  hasher,
  breaches,
  throttle,
  mailThrottle,
  mail,
  verification,
  activity,
  jobs,
}: RegistrationRouterDeps): Router {
  const router = Router();
  const clientIp = (req: Request) => req.ip ?? 'unknown';

  router.post('/register', async (req, res) => {
    const input = RegisterRequestSchema.parse(req.body);
    const problem = passwordProblem(input.password, { email: input.email });
    if (problem) throw validationFailed({ password: problem });
    await throttle.takeRegistration(clientIp(req));
    // Looked up while the password is hashed (S48), for a new address and a taken one alike (S18).
    const breachVerdict = breaches.check(input.password);
    await mailThrottle.takeMailRequest({ address: input.email, ip: clientIp(req) });

    const passwordHash = await hasher.hash(input.password);
    if ((await breachVerdict) === 'breached') throw passwordBreached('password');
    const createdId = await users.register({ name: input.name, email: input.email, passwordHash });
    const seen = seenFrom(req);
    if (createdId !== null) {
      const userId = createdId;
      req.log.info({ authEvent: 'registered', userId }, 'auth: registered');
      jobs.run('registration', () => activity.record({ userId, type: 'registered', ...seen }));
      verification.sendLinkLater({ userId, email: input.email });
    } else {
      req.log.info({ authEvent: 'registration_of_existing_address' }, 'auth: registration_of_existing_address');
      jobs.run('registration of an existing address', async () => {
        const owner = await users.contactByEmail(input.email);
        if (!owner) return;
        const userId = owner.id;
        await activity.record({ userId, type: 'registration_attempted', ...seen });
        if (mail.mailer.isAvailable) await mail.mailer.deliver(mail.messages.registrationAttempt(owner.email, userId));
      });
    }
    res.status(202).json(answer(mail.mailer.isAvailable));
  });

  return router;
}

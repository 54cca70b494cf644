import { Router } from 'express';
import type { ActivityListResponse } from '@gatehouse/types/activity';
import { requireUser, signedInUser } from '../sessions/signed-in';
import { ACTIVITY_LIST_LIMIT } from './activity-log';
import type { ActivityLog } from './activity-log';

/** Mounted at /api/activity. */
export function createActivityRouter({ activity }: { activity: Pick<ActivityLog, 'listForUser'> }): Router {
  const router = Router();
  router.get('/', requireUser, async (req, res) => {
    const { userId } = signedInUser(req);
    const body: ActivityListResponse = { events: await activity.listForUser(userId, ACTIVITY_LIST_LIMIT) };
    res.json(body);
  });
  return router;
}

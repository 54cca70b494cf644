import { Router } from 'express';
import { ActivityExportQuerySchema } from '@gatehouse/types/activity';
import type { ActivityListResponse } from '@gatehouse/types/activity';
import { requireUser, signedInUser } from '../sessions/signed-in';
import { ACTIVITY_LIST_LIMIT } from './activity-log';
import type { ActivityLog } from './activity-log';
import { sendActivityExport } from './export';

/** Mounted at /api/activity. */
export function createActivityRouter({ activity }: { activity: Pick<ActivityLog, 'listForUser' | 'exportEntries'> }): Router {
  const router = Router();
  router.get('/', requireUser, async (req, res) => {
    const { userId } = signedInUser(req);
    const body: ActivityListResponse = { events: await activity.listForUser(userId, ACTIVITY_LIST_LIMIT) };
    res.json(body);
  });
  router.get('/export', requireUser, async (req, res) => {
    const { format } = ActivityExportQuerySchema.parse(req.query);
    const { userId } = signedInUser(req);
    await sendActivityExport(res, { format, filename: 'activity', entries: activity.exportEntries({ userId }) });
  });
  return router;
}

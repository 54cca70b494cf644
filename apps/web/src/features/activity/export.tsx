import { activityExportMessages } from '../../messages/activity-export';
import { activityExportUrl } from './activity-export';

/** Loaded lazily: the dashboard's first load stays within its budget. */
export default function ActivityExportLinks() {
  return (
    <p className="activity-export">
      <a href={activityExportUrl('ndjson')} download>
        {activityExportMessages.download}
      </a>
      {' · '}
      <a href={activityExportUrl('csv')} download aria-label={activityExportMessages.downloadCsvLabel}>
        CSV
      </a>
    </p>
  );
}

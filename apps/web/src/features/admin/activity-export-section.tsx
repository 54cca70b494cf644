import { useState } from 'react';
import { ACTIVITY_EXPORT_FORMATS } from '@gatehouse/types/activity';
import type { ActivityExportFormat } from '@gatehouse/types/activity';
import { activityExportMessages as messages } from '../../messages/activity-export';
import { adminActivityExportUrl } from '../activity/activity-export';

/** A link whose address follows the filters: the browser downloads the stream, the page holds none of it. */
export function ActivityExportSection() {
  const [format, setFormat] = useState<ActivityExportFormat>('ndjson');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [email, setEmail] = useState('');
  return (
    <section className="card stack-small" aria-labelledby="activity-export-title">
      <h2 id="activity-export-title">{messages.adminTitle}</h2>
      <p className="muted">{messages.adminLead}</p>
      <div className="field field-inline">
        <label htmlFor="activity-export-format">{messages.format}</label>
        <select id="activity-export-format" value={format} onChange={(event) => setFormat(event.target.value as ActivityExportFormat)}>
          {ACTIVITY_EXPORT_FORMATS.map((option) => (
            <option key={option} value={option}>
              {messages.formats[option]}
            </option>
          ))}
        </select>
      </div>
      <div className="field field-inline">
        <label htmlFor="activity-export-from">{messages.from}</label>
        <input id="activity-export-from" type="date" value={from} onChange={(event) => setFrom(event.target.value)} />
      </div>
      <div className="field field-inline">
        <label htmlFor="activity-export-to">{messages.to}</label>
        <input id="activity-export-to" type="date" value={to} onChange={(event) => setTo(event.target.value)} />
      </div>
      <div className="field field-inline">
        <label htmlFor="activity-export-email">{messages.email}</label>
        <input id="activity-export-email" type="email" value={email} onChange={(event) => setEmail(event.target.value)} />
      </div>
      <p>
        <a className="button" href={adminActivityExportUrl({ format, from, to, email })} download>
          {messages.adminExport}
        </a>
      </p>
    </section>
  );
}

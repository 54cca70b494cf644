import { useState } from 'react';
import type { ActivityExportFormat, AdminActivityExportQuery } from '@gatehouse/types/activity';
import { adminMessages } from '../../messages/admin';

const messages = adminMessages.activityExport;

// From the messages (typed against the contract's formats): the schema module would bring zod into the page.
const FORMATS = Object.keys(messages.formats) as ActivityExportFormat[];

type ExportFilters = { format: ActivityExportFormat } & Partial<Record<keyof Omit<AdminActivityExportQuery, 'format'>, string>>;

/** Empty filters are left out: the API reads an absent one as "no bound". */
function adminActivityExportUrl(filters: ExportFilters): string {
  const params = new URLSearchParams(
    Object.entries(filters).filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1].trim() !== ''),
  );
  return `/api/admin/activity/export?${params.toString()}`;
}

/** A link whose address follows the filters: the browser downloads the stream, the page holds none of it. */
export function ActivityExportSection() {
  const [format, setFormat] = useState<ActivityExportFormat>('ndjson');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [email, setEmail] = useState('');
  return (
    <section className="card stack-small" aria-labelledby="activity-export-title">
      <h2 id="activity-export-title">{messages.title}</h2>
      <p className="muted">{messages.lead}</p>
      <div className="field field-inline">
        <label htmlFor="activity-export-format">{messages.format}</label>
        <select id="activity-export-format" value={format} onChange={(event) => setFormat(event.target.value as ActivityExportFormat)}>
          {FORMATS.map((option) => (
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
          {messages.link}
        </a>
      </p>
    </section>
  );
}

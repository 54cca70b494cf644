import { useState, type ReactNode } from 'react';
import { useQuery } from '@tanstack/react-query';
import type { OutboxListResponse, OutboxMessage } from '@gatehouse/types/dev';
import { QueryState } from '../../components/query-state';
import { apiRequest, isApiError } from '../../lib/api-client';
import { DateTime } from '../../lib/time-view';
import { outboxMessages } from '../../messages/recovery';

const outboxQuery = {
  queryKey: ['dev', 'outbox'] as const,
  queryFn: () => apiRequest<OutboxListResponse>('/api/dev/outbox'),
};

const URL_PATTERN = /(https?:\/\/[^\s<>"]+)/g;

/** The plain-text part with its links made clickable (and nothing else interpreted). */
export function withLinks(text: string): ReactNode[] {
  return text.split(URL_PATTERN).map((part, index) =>
    index % 2 === 1 ? (
      <a key={index} href={part}>
        {part}
      </a>
    ) : (
      part
    ),
  );
}

/**
 * Development only (the API answers 404 in production): the mail the server sent, newest first, so
 * the reset and verification flows can be tried without a mail server.
 */
export function OutboxPage() {
  const outbox = useQuery({ ...outboxQuery, refetchInterval: 2000 });
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const messages = outbox.data?.messages ?? [];
  const selected = messages.find((message) => message.id === selectedId) ?? messages[0];

  return (
    <div className="page">
      <title>Mail outbox · Gatehouse</title>
      <h1>Mail outbox</h1>
      <p className="lead">{outboxMessages.lead}</p>
      {isApiError(outbox.error) && outbox.error.status === 404 ? (
        <p role="alert" className="alert alert-error">
          {outboxMessages.missing}
        </p>
      ) : outbox.data ? (
        messages.length === 0 ? (
          <p>{outboxMessages.none}</p>
        ) : (
          <div className="dashboard-grid">
            <section className="card" aria-labelledby="outbox-list-title">
              <h2 id="outbox-list-title">Messages</h2>
              <ul className="activity-list">
                {messages.map((message) => (
                  <li key={message.id}>
                    <button
                      type="button"
                      className="button button-small"
                      aria-current={message.id === selected?.id ? true : undefined}
                      onClick={() => setSelectedId(message.id)}
                    >
                      {message.subject}
                    </button>{' '}
                    <span className="muted">
                      {outboxMessages.to(message.to)} <DateTime value={message.createdAt} />
                    </span>
                  </li>
                ))}
              </ul>
            </section>
            {selected ? <MessageView message={selected} /> : null}
          </div>
        )
      ) : (
        <QueryState query={outbox} what={outboxMessages.outbox} />
      )}
    </div>
  );
}

function MessageView({ message }: { message: OutboxMessage }) {
  return (
    <section className="card card-wide" aria-labelledby="outbox-message-title">
      <h2 id="outbox-message-title">{message.subject}</h2>
      <p className="muted">
        {message.to} · <DateTime value={message.createdAt} />
      </p>
      <pre className="code-block">{withLinks(message.text)}</pre>
      <p>
        <a href={`/api/dev/outbox/${message.id}/html`} target="_blank" rel="noopener noreferrer">
          {outboxMessages.openHtml}
        </a>
      </p>
    </section>
  );
}

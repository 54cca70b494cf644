import { lazy, Suspense, useState } from 'react';
import { commonMessages } from '../../messages/common';
import { sessionMessages } from '../../messages/sessions';

/** Few people open it, so its code is fetched the first time someone does. */
const DeveloperDetails = lazy(() => import('./developer-details'));

export default function SessionDataSection() {
  const [isOpen, setIsOpen] = useState(false);
  return (
    <section className="card" aria-labelledby="session-data-title">
      <h2 id="session-data-title">Session data</h2>
      <p>{sessionMessages.storedDataIntro}</p>
      <button type="button" className="button disclosure" aria-expanded={isOpen} aria-controls="developer-details" onClick={() => setIsOpen((open) => !open)}>
        Developer details
      </button>
      <div id="developer-details" hidden={!isOpen}>
        {isOpen ? (
          <Suspense fallback={<p className="muted">{commonMessages.loading(sessionMessages.sessionData)}</p>}>
            <DeveloperDetails />
          </Suspense>
        ) : null}
      </div>
    </section>
  );
}

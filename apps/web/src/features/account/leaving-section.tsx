import { Suspense, useState } from 'react';
import { useMutation, useQuery } from '@tanstack/react-query';
import { FormAlert } from '../../components/form-alert';
import { TextField } from '../../components/text-field';
import { LazyConfirmDialog } from '../../components/use-confirm';
import { whenIdle } from '../../components/when-idle';
import { apiCommand } from '../../lib/api-client';
import { describeError } from '../../lib/form-errors';
import { accountMessages } from '../../messages/account';
import { authQueries } from '../auth/auth-queries';
import { useSessionStatus } from '../auth/session-status-context';
import { useWithReauth } from '../reauth/reauth-context';

const sameAddress = (typed: string, email: string) => typed.trim().toLowerCase() === email.toLowerCase();

/** "Download your data" and "Delete account": loaded with the dashboard's other rarely used sections. */
export default function LeavingSection() {
  const me = useQuery(authQueries.me());
  const email = me.data?.user.email ?? '';
  const sessionStatus = useSessionStatus();
  const withReauth = useWithReauth();
  const [isAsking, setIsAsking] = useState(false);
  const deleteAccount = useMutation({
    mutationFn: withReauth(async (confirm: string) => {
      // The server ends this session with the others: its "session ended" echo is not news here.
      sessionStatus.beginSignOut();
      try {
        await apiCommand('/api/account', { method: 'DELETE', body: { confirm } });
      } catch (error) {
        sessionStatus.reset();
        throw error;
      }
    }),
    // Nothing of the account is left to show: the app starts afresh on the sign-in page (the server
    // also sent Clear-Site-Data), rather than this tab unpicking its cache piece by piece.
    onSuccess: () => window.location.replace('/login'),
  });

  return (
    <section className="card" aria-labelledby="leaving-title">
      <h2 id="leaving-title">{accountMessages.title}</h2>
      <p>{accountMessages.exportLead}</p>
      <div className="actions">
        {/* A plain link: the answer is an attachment, so the browser saves it and the page stays. */}
        <a className="button" href="/api/account/export" download>
          {accountMessages.download}
        </a>
      </div>
      <h3>{accountMessages.deleteTitle}</h3>
      <p>{accountMessages.deleteLead}</p>
      <FormAlert message={describeError(deleteAccount.error, 'session-action').alert} />
      <div className="actions">
        <button type="button" className="button button-danger" {...whenIdle(deleteAccount.isPending || !email, () => setIsAsking(true))}>
          {accountMessages.deleteButton}
        </button>
      </div>
      {isAsking ? (
        <Suspense fallback={null}>
          <ConfirmDeletionDialog
            email={email}
            onAnswer={(typed) => {
              setIsAsking(false);
              if (typed !== null) deleteAccount.mutate(typed);
            }}
          />
        </Suspense>
      ) : null}
    </section>
  );
}

/** Asks for the account's address, typed out; answers it, or null when cancelled. */
function ConfirmDeletionDialog({ email, onAnswer }: { email: string; onAnswer: (typed: string | null) => void }) {
  const [typed, setTyped] = useState('');
  return (
    <LazyConfirmDialog
      title={accountMessages.confirmTitle}
      body={<p>{accountMessages.confirmBody(email)}</p>}
      confirmLabel={accountMessages.confirmLabel}
      canConfirm={sameAddress(typed, email)}
      onAnswer={(isConfirmed) => onAnswer(isConfirmed ? typed : null)}
    >
      <TextField
        label={accountMessages.confirmField}
        name="confirm"
        type="email"
        autoComplete="off"
        value={typed}
        onChange={(event) => setTyped(event.target.value)}
      />
    </LazyConfirmDialog>
  );
}

import { secondFactorMessages as TEXT } from '../../messages/second-factor';

/** Recovery codes, shown once: the person confirms they saved them before they disappear. */
export function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone: () => void }) {
  return (
    <div className="stack" role="group" aria-labelledby="recovery-codes-title">
      <h3 id="recovery-codes-title">{TEXT.recoveryTitle}</h3>
      <p>{TEXT.recoveryLead}</p>
      <ul className="code-block recovery-codes" aria-label={TEXT.recoveryTitle}>
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ul>
      <div className="actions">
        <button type="button" className="button button-primary" onClick={onDone}>
          {TEXT.recoverySaved}
        </button>
      </div>
    </div>
  );
}

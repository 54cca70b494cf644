/** A form's error summary; focusable so a failed submit can move focus to it. */
export function FormAlert({ message }: { message: string | null }) {
  if (!message) return null;
  return (
    <p role="alert" className="alert alert-error" tabIndex={-1}>
      {message}
    </p>
  );
}

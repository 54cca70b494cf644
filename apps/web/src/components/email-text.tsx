import { Fragment } from 'react';

/**
 * An email address that wraps, when it must, after the "@" or before a dot ("ada@" / "example.com"),
 * never in the middle of a word.
 */
export function EmailText({ email }: { email: string }) {
  const parts = email.split(/(?=\.)|(?<=@)/);
  return (
    <span className="email">
      {parts.map((part, index) => (
        <Fragment key={index}>
          {index > 0 ? <wbr /> : null}
          {part}
        </Fragment>
      ))}
    </span>
  );
}

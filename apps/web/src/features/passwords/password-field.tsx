import { useEffect, useId, useRef, useState, type InputHTMLAttributes } from 'react';
import { isApiError } from '../../lib/api-client';
import { passwordErrorTexts, passwordMessages, strengthLabels } from '../../messages/passwords';
import type { StrengthLevel } from './strength-level';
import './passwords.css';

type Scorer = (password: string, userInputs: readonly string[]) => StrengthLevel;

/** The estimator and its dictionaries are large: fetched once, on the first focus or keystroke in any password field. */
let scorerLoading: Promise<Scorer> | undefined;
export function loadScorer(): Promise<Scorer> {
  scorerLoading ??= import('./password-strength').then((module) => module.strengthOf);
  return scorerLoading;
}

interface PasswordFieldProps extends Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'type' | 'aria-invalid' | 'aria-describedby'> {
  label: string;
  name: string;
  /** A problem found in the browser, or the server's message for this field. */
  error?: string | undefined;
  /** The form's failed request: a breached password (`password_breached`) is said here, under the field. */
  serverError?: unknown;
  hint?: string;
  /** Other fields of the form (name, email) whose words make a password weaker when it contains them. */
  relatedFields?: readonly string[];
}

/**
 * A field for choosing a new password, with a strength meter under it. The meter's words ("Password
 * strength: Fair") are tied to the input with aria-describedby, so they are read out, not only shown in
 * colour. Forms load this module with React.lazy and the estimator only comes on first focus or typing,
 * so none of it reaches the first pages' chunks.
 */
export default function PasswordField({
  label,
  error: fieldError,
  serverError,
  hint,
  relatedFields = [],
  onFocus,
  onInput,
  ...inputProps
}: PasswordFieldProps) {
  const id = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const scorer = useRef<Scorer | null>(null);
  const [level, setLevel] = useState<StrengthLevel | null>(null);
  const error = fieldError ?? (isApiError(serverError, 'password_breached') ? passwordErrorTexts.password_breached : undefined);

  // A form reset (after a successful change) empties the input without an input event.
  useEffect(() => {
    const form = inputRef.current?.form;
    if (!form) return;
    const onReset = () => setLevel(null);
    form.addEventListener('reset', onReset);
    return () => form.removeEventListener('reset', onReset);
  }, []);

  /** Rates what the input holds now (an empty field has no level). */
  const rate = () => {
    const input = inputRef.current;
    if (!input || !scorer.current) return;
    const relatedWords = relatedFields.flatMap((field) => {
      const element = input.form?.elements.namedItem(field);
      if (!(element instanceof HTMLInputElement) || element.value === '') return [];
      // "Ada Lovelace", "ada.lovelace@example.com": the whole value and each word in it.
      return [element.value, ...element.value.split(/[^\p{L}\p{N}]+/u).filter((word) => word.length >= 3)];
    });
    setLevel(input.value === '' ? null : scorer.current(input.value, relatedWords));
  };

  const startLoading = () => {
    if (scorer.current) return;
    // The meter is a help, not a gate: if its code cannot load, the field works without it.
    loadScorer().then(
      (loaded) => {
        scorer.current = loaded;
        rate();
      },
      () => undefined,
    );
  };
  const hintId = `${id}-hint`;
  const strengthId = `${id}-strength`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : null, level ? strengthId : null, error ? errorId : null].filter(Boolean).join(' ') || undefined;

  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        ref={inputRef}
        id={id}
        type="password"
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        onFocus={(event) => {
          startLoading();
          onFocus?.(event);
        }}
        onInput={(event) => {
          startLoading();
          rate();
          onInput?.(event);
        }}
        {...inputProps}
      />
      {hint ? (
        <p id={hintId} className="field-hint">
          {hint}
        </p>
      ) : null}
      <p id={strengthId} className="password-strength" data-level={level ?? undefined}>
        {level ? (
          <>
            <span className="strength-bar" aria-hidden="true">
              <span />
            </span>
            {passwordMessages.strength(strengthLabels[level])}
          </>
        ) : null}
      </p>
      {error ? (
        <p id={errorId} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Next to this module in src/, next to the bundle in dist/ (tsup copies it there). */
const LIST_CANDIDATES = ['./common-passwords.txt', './auth/common-passwords.txt'];

function loadCommonPasswords(): Set<string> {
  for (const candidate of LIST_CANDIDATES) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (!existsSync(path)) continue;
    const words = readFileSync(path, 'utf8')
      .split('\n')
      .map((line) => line.trim().toLowerCase())
      .filter((line) => line !== '' && !line.startsWith('# '));
    return new Set(words);
  }
  throw new Error(`common-passwords.txt not found next to ${fileURLToPath(import.meta.url)}`);
}

let commonPasswords: Set<string> | undefined;

/**
 * The policy beyond length (which the shared schema checks): no password from the common list and not
 * the account's own email (S21). No composition rules, on purpose. Returns a message, or null if fine.
 */
export function passwordProblem(password: string, context: { email: string }): string | null {
  commonPasswords ??= loadCommonPasswords();
  const lowered = password.toLowerCase();
  if (commonPasswords.has(lowered)) return 'This password is too common. Choose a longer phrase that is unique to you.';
  const email = context.email.toLowerCase();
  const localPart = email.split('@')[0] ?? '';
  if (lowered === email || (localPart.length >= 8 && lowered === localPart)) return 'Do not use your email address as your password.';
  return null;
}

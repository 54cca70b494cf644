import { PASSWORD_MIN_LENGTH } from '@gatehouse/types/limits';

export type StrengthLevel = 'weak' | 'fair' | 'strong';

/**
 * zxcvbn's score (0–4: guesses needed, from under 10^3 to over 10^10) in three words. Shorter than the
 * policy allows is weak whatever the score: the server would refuse it.
 */
export function strengthLevel(score: number, password: string): StrengthLevel {
  if (password.length < PASSWORD_MIN_LENGTH || score <= 1) return 'weak';
  return score === 2 ? 'fair' : 'strong';
}

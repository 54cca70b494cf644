import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import { adjacencyGraphs, dictionary } from '@zxcvbn-ts/language-common';
import { strengthLevel, type StrengthLevel } from './strength-level';

/**
 * The estimator with the language-independent dictionaries (common passwords, diceware words, keyboard
 * layouts). About 200 KiB gzipped: this module is only ever loaded with a dynamic import (password-field.tsx).
 * The English dictionaries (@zxcvbn-ts/language-en) would add some 650 KiB more for a meter, so they are left out.
 */
const zxcvbn = new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs });

/** How hard the password is to guess, in the meter's three words; `userInputs` (name, address) count as known words. */
export function strengthOf(password: string, userInputs: readonly string[]): StrengthLevel {
  return strengthLevel(zxcvbn.check(password, [...userInputs]).score, password);
}

/**
 * `$regex` and BSON regular expressions in filters, matched with RE2 semantics (re2js): time
 * linear in the input, so a pattern like `^(a+)+$` cannot stall the engine — and with it the
 * app that hosts it — the way a backtracking engine does. Patterns RE2 cannot express
 * (backreferences, lookaround, possessive or atomic groups) are refused with an error rather than
 * run on a backtracking engine.
 */
import { RE2JS } from 're2js';
import { MongoCommandError } from '../errors';

export interface Regex {
  test(input: string): boolean;
}

/** MongoDB's `$options` letters (PCRE's i, m, s, x and u). */
const OPTION_LETTERS = 'imsxu';
/** Flags a driver's JavaScript RegExp may carry that do not change what matches. */
const IGNORED_JS_FLAGS = 'gyd';

const CACHE_SIZE = 256;
const cache = new Map<string, Regex>();

/** Strips whitespace and `#` comments, as PCRE's extended mode does (escaped `#` kept). */
function stripExtended(source: string): string {
  return source
    .replace(/\\#/g, '\uE000')
    .replace(/\s+|#.*$/gm, '')
    .replace(/\uE000/g, '\\#');
}

function flagsFor(options: string): number {
  let flags = 0;
  for (const letter of options) {
    if (letter === 'i') flags |= RE2JS.CASE_INSENSITIVE;
    else if (letter === 'm') flags |= RE2JS.MULTILINE;
    else if (letter === 's') flags |= RE2JS.DOTALL;
    else if (!OPTION_LETTERS.includes(letter) && !IGNORED_JS_FLAGS.includes(letter)) {
      throw new MongoCommandError(51108, `invalid flag in regex options: ${letter}`);
    }
  }
  return flags;
}

/** Compiles (and caches) a pattern with MongoDB regex options. */
export function compileRegex(pattern: string, options: string): Regex {
  if (pattern.includes('\0')) throw new MongoCommandError(51091, 'Regular expression cannot contain an embedded null byte');
  const key = `${options}/${pattern}`;
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const flags = flagsFor(options);
  const source = options.includes('x') ? stripExtended(pattern) : pattern;
  let regex: RE2JS;
  try {
    regex = RE2JS.compile(source, flags);
  } catch (error) {
    throw new MongoCommandError(
      51091,
      `Regular expression is invalid or not supported by embedded-mongo (RE2 syntax, matched in linear time): ${(error as Error).message}`,
    );
  }
  const compiled: Regex = { test: (input) => regex.test(input) };
  cache.set(key, compiled);
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  return compiled;
}

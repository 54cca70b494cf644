import { config } from 'zod';

/**
 * zod compiles object parsers with `new Function` unless told not to, and merely probing for it
 * is reported as a violation under our CSP (script-src 'self', no 'unsafe-eval'). Object schemas
 * decide at construction, so this module must be imported before any schema is created.
 */
config({ jitless: true });

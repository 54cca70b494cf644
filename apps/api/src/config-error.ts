/** A setting that cannot be used: the server refuses to start and names the variable. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Where the engine's (few) log lines go. */
export interface Logger {
  info(msg: string): void;
  warn(msg: string): void;
}

export const defaultLogger: Logger = {
  info: (msg) => console.error(`[embedded-mongo] ${msg}`),
  warn: (msg) => console.error(`[embedded-mongo] WARN ${msg}`),
};

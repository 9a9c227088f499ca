/**
 * The one logging vocabulary of the function set. `Logger` is structural, so the Powertools `Logger` fits as is
 * (extra objects are merged into the JSON log line as attributes), and so does a test's recording logger.
 */
export type LogAttributes = Record<string, unknown>;

export interface Logger {
  debug(message: string, ...extra: LogAttributes[]): void;
  info(message: string, ...extra: LogAttributes[]): void;
  warn(message: string, ...extra: LogAttributes[]): void;
  error(message: string, ...extra: LogAttributes[]): void;
}

/** A safe description of any thrown value: its name and message, never a stack or a payload. */
export function describeError(error: unknown): { name: string; message: string } {
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'NonError', message: typeof error === 'string' ? error : typeof error };
}

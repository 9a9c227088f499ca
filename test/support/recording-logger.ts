import type { LogAttributes, Logger } from '../../lib/observability';

export type LogEntry = {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  attributes: LogAttributes;
};

/** A logger that keeps every line, its extra objects merged the way Powertools merges them. */
export class RecordingLogger implements Logger {
  readonly entries: LogEntry[] = [];

  private add(level: LogEntry['level'], message: string, extra: LogAttributes[]): void {
    this.entries.push({ level, message, attributes: Object.assign({}, ...extra) });
  }

  debug(message: string, ...extra: LogAttributes[]): void {
    this.add('debug', message, extra);
  }
  info(message: string, ...extra: LogAttributes[]): void {
    this.add('info', message, extra);
  }
  warn(message: string, ...extra: LogAttributes[]): void {
    this.add('warn', message, extra);
  }
  error(message: string, ...extra: LogAttributes[]): void {
    this.add('error', message, extra);
  }

  at(level: LogEntry['level']): LogEntry[] {
    return this.entries.filter((entry) => entry.level === level);
  }

  /** Every line serialised, to check that nothing sensitive leaked. */
  text(): string {
    return JSON.stringify(this.entries);
  }
}

/** Captures what the Powertools logger writes (INFO to stdout, WARN and ERROR to stderr), in order. */
import { vi } from 'vitest';

export type CapturedOutput = {
  /** Every JSON log line written since the capture began. */
  lines(): Record<string, unknown>[];
  /** Everything written, as one text (to check that nothing sensitive leaked). */
  text(): string;
  restore(): void;
};

export function captureOutput(): CapturedOutput {
  const chunks: string[] = [];
  const record = (chunk: string | Uint8Array) => {
    chunks.push(String(chunk));
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(record);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(record);
  return {
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.trim().startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    text: () => chunks.join(''),
    restore: () => {
      out.mockRestore();
      err.mockRestore();
    },
  };
}

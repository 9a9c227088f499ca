/**
 * The documentation as a new maintainer reads it: the README stays a front door, Markdown stays readable in
 * an editor, local links lead somewhere, and code shown in the docs is the code of a type-checked file.
 * A code block preceded by `<!-- from: path -->` (or `path#region`, the lines between `// #region name` and
 * `// #endregion name`) must equal that file or region.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');

const MARKDOWN = [
  'README.md',
  'bench/README.md',
  'emulator/README.md',
  ...readdirSync(path.join(ROOT, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .map((file) => `docs/${file}`),
];

/** The Markdown outside fenced code blocks, with line numbers. */
function proseLines(text: string): Array<{ line: string; number: number }> {
  const lines: Array<{ line: string; number: number }> = [];
  let fenced = false;
  text.split('\n').forEach((line, index) => {
    if (line.trimStart().startsWith('```')) fenced = !fenced;
    else if (!fenced) lines.push({ line, number: index + 1 });
  });
  return lines;
}

function region(file: string, name: string | undefined): string {
  const text = read(file);
  if (name === undefined) return text.trimEnd();
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.trim() === `// #region ${name}`);
  const end = lines.findIndex((line) => line.trim() === `// #endregion ${name}`);
  if (start < 0 || end < start) throw new Error(`${file} has no region ${name}`);
  return lines
    .slice(start + 1, end)
    .join('\n')
    .trimEnd();
}

describe('the README', () => {
  it('is a front door: at most 12 KB, the two commands first', () => {
    const readme = read('README.md');
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(12 * 1024);
    expect(readme.indexOf('npm ci')).toBeLessThan(readme.indexOf('## Layout'));
    expect(readme.indexOf('npm start')).toBeLessThan(readme.indexOf('## Layout'));
    expect(readme).toContain('npm test');
  });
});

describe.each(MARKDOWN)('%s', (file) => {
  const text = read(file);

  it('keeps table rows within 160 characters and prose within 120', () => {
    const long = proseLines(text).filter(({ line }) =>
      line.trimStart().startsWith('|') ? line.length > 160 : line.length > 120,
    );
    expect(long.map(({ number, line }) => `${number}: ${line.slice(0, 60)}…`)).toEqual([]);
  });

  it('links only to files that exist', () => {
    const dir = path.dirname(path.join(ROOT, file));
    const targets = [...text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)]
      .map((match) => match[1] as string)
      .filter((target) => !/^[a-z]+:/i.test(target));
    const missing = targets.filter((target) => !existsSync(path.resolve(dir, target)));
    expect(missing).toEqual([]);
  });

  it('shows code only as it stands in the files it names', () => {
    const blocks = [...text.matchAll(/<!-- from: ([^ #]+)(?:#(\S+))? -->\n```\w*\n([\s\S]*?)\n```/g)];
    for (const [, source, name, code] of blocks) {
      expect(code, `${file}: block from ${source}${name ? `#${name}` : ''}`).toBe(
        region(source as string, name),
      );
    }
    // Every TypeScript block says where it comes from.
    const tsBlocks = text.match(/```ts\n/g)?.length ?? 0;
    expect(blocks.length, `${file}: TypeScript blocks without a <!-- from: … --> source`).toBe(tsBlocks);
  });
});

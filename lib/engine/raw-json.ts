/**
 * Editing a JSON text in place, for the validation route: it answers the object it received byte for byte,
 * with only some parameters' `value` / `value_error` changed (a parse and re-serialisation would reformat
 * numbers, drop `-0` and precision, and reorder nothing but rewrite everything). The text must be one that
 * `JSON.parse` accepted; a key repeated in an object counts in its last occurrence, as in `JSON.parse`.
 *
 * Only the objects on the way to the parameter lists are walked member by member; every other value is
 * skipped with a flat scan (no recursion, whatever the nesting).
 */

export type Span = { start: number; end: number };

/** One entry of a parameter list: where each member's value is (last occurrence) and its closing brace. */
export type EntryLocation = { close: number; members: ReadonlyMap<string, Span> };

/** A replacement of `text.slice(start, end)` (an insertion when `start === end`). */
export type TextEdit = { start: number; end: number; text: string };

type Located =
  | { kind: 'object'; members: Map<string, Located> }
  | { kind: 'list'; entries: Array<EntryLocation | undefined> }
  | { kind: 'other' };

const OTHER: Located = { kind: 'other' };

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

const isWhitespace = (code: number) => code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;

class MalformedJsonError extends Error {
  override readonly name = 'MalformedJsonError';
}

class Scanner {
  constructor(private readonly text: string) {}

  skipWhitespace(at: number): number {
    let index = at;
    while (index < this.text.length && isWhitespace(this.text.charCodeAt(index))) index += 1;
    return index;
  }

  expect(at: number, code: number): number {
    if (this.text.charCodeAt(at) !== code)
      throw new MalformedJsonError(`expected ${String.fromCharCode(code)}`);
    return at + 1;
  }

  /** `at` is on the opening quote; returns the index after the closing one. */
  stringEnd(at: number): number {
    let from = at + 1;
    for (;;) {
      const quote = this.text.indexOf('"', from);
      if (quote < 0) throw new MalformedJsonError('unterminated string');
      let backslashes = 0;
      while (quote - 1 - backslashes > at && this.text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) {
        backslashes += 1;
      }
      if (backslashes % 2 === 0) return quote + 1;
      from = quote + 1;
    }
  }

  /** The decoded text of the string at `at` (a key), and where it ends. */
  readString(at: number): { value: string; end: number } {
    const end = this.stringEnd(at);
    const raw = this.text.slice(at + 1, end - 1);
    return { value: raw.includes('\\') ? (JSON.parse(this.text.slice(at, end)) as string) : raw, end };
  }

  /** `at` is on the first character of a value; returns the index after it, without recursion. */
  valueEnd(at: number): number {
    const first = this.text.charCodeAt(at);
    if (first === QUOTE) return this.stringEnd(at);
    if (first === OPEN_OBJECT || first === OPEN_ARRAY) {
      let depth = 0;
      let index = at;
      while (index < this.text.length) {
        const code = this.text.charCodeAt(index);
        if (code === QUOTE) {
          index = this.stringEnd(index);
          continue;
        }
        if (code === OPEN_OBJECT || code === OPEN_ARRAY) depth += 1;
        else if (code === CLOSE_OBJECT || code === CLOSE_ARRAY) {
          depth -= 1;
          if (depth === 0) return index + 1;
        }
        index += 1;
      }
      throw new MalformedJsonError('unterminated container');
    }
    let index = at;
    while (index < this.text.length) {
      const code = this.text.charCodeAt(index);
      if (code === COMMA || code === CLOSE_OBJECT || code === CLOSE_ARRAY || isWhitespace(code)) break;
      index += 1;
    }
    if (index === at) throw new MalformedJsonError('expected a value');
    return index;
  }

  /**
   * Visits the members of the object at `at` (on `{`): `visit(key, valueStart)` returns where the value
   * ends. Returns the index of the closing brace.
   */
  members(at: number, visit: (key: string, valueStart: number) => number): number {
    let index = this.skipWhitespace(this.expect(at, OPEN_OBJECT));
    if (this.text.charCodeAt(index) === CLOSE_OBJECT) return index;
    for (;;) {
      const key = this.readString(index);
      const valueStart = this.skipWhitespace(this.expect(this.skipWhitespace(key.end), COLON));
      index = this.skipWhitespace(visit(key.value, valueStart));
      const code = this.text.charCodeAt(index);
      if (code === CLOSE_OBJECT) return index;
      index = this.skipWhitespace(this.expect(index, COMMA));
    }
  }

  /** Visits the elements of the array at `at` (on `[`); `visit(index, start)` returns where each ends. */
  elements(at: number, visit: (position: number, start: number) => number): number {
    let index = this.skipWhitespace(this.expect(at, OPEN_ARRAY));
    if (this.text.charCodeAt(index) === CLOSE_ARRAY) return index + 1;
    for (let position = 0; ; position += 1) {
      index = this.skipWhitespace(visit(position, index));
      const code = this.text.charCodeAt(index);
      if (code === CLOSE_ARRAY) return index + 1;
      index = this.skipWhitespace(this.expect(index, COMMA));
    }
  }

  charAt(at: number): number {
    return this.text.charCodeAt(at);
  }
}

const startsWith = (path: readonly string[], prefix: readonly string[]) =>
  prefix.length <= path.length && prefix.every((key, index) => path[index] === key);

/**
 * The entries of the lists at `paths` (e.g. `['asset', 'params']`), located in `text`: per path, one location
 * per element of the list (`undefined` for an element that is not an object), or `undefined` when the path
 * does not lead to an array.
 */
export function locateListEntries(
  text: string,
  paths: readonly (readonly string[])[],
): Array<Array<EntryLocation | undefined> | undefined> {
  const scanner = new Scanner(text);

  const entry = (start: number): { location: EntryLocation | undefined; end: number } => {
    if (scanner.charAt(start) !== OPEN_OBJECT) return { location: undefined, end: scanner.valueEnd(start) };
    const members = new Map<string, Span>();
    const close = scanner.members(start, (key, valueStart) => {
      const end = scanner.valueEnd(valueStart);
      members.set(key, { start: valueStart, end });
      return end;
    });
    return { location: { close, members }, end: close + 1 };
  };

  const walk = (start: number, path: readonly string[]): { located: Located; end: number } => {
    const code = scanner.charAt(start);
    if (paths.some((target) => target.length === path.length && startsWith(target, path))) {
      if (code !== OPEN_ARRAY) return { located: OTHER, end: scanner.valueEnd(start) };
      const entries: Array<EntryLocation | undefined> = [];
      const end = scanner.elements(start, (position, elementStart) => {
        const found = entry(elementStart);
        entries[position] = found.location;
        return found.end;
      });
      return { located: { kind: 'list', entries }, end };
    }
    if (code !== OPEN_OBJECT) return { located: OTHER, end: scanner.valueEnd(start) };
    const members = new Map<string, Located>();
    const close = scanner.members(start, (key, valueStart) => {
      const child = [...path, key];
      if (!paths.some((target) => startsWith(target, child))) return scanner.valueEnd(valueStart);
      const found = walk(valueStart, child);
      members.set(key, found.located);
      return found.end;
    });
    return { located: { kind: 'object', members }, end: close + 1 };
  };

  const root = walk(scanner.skipWhitespace(0), []).located;
  return paths.map((path) => {
    let node: Located | undefined = root;
    for (const key of path) node = node?.kind === 'object' ? node.members.get(key) : undefined;
    return node?.kind === 'list' ? node.entries : undefined;
  });
}

/**
 * Whether the JSON text nests objects and arrays deeper than `limit` (a flat scan, strings skipped). `JSON.parse`
 * accepts any depth; recursive code after it (a deep copy, a validator walking the object) does not.
 */
export function nestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) {
      // Skip the string: up to its closing quote (a quote after an odd number of backslashes is escaped).
      let end = index + 1;
      for (;;) {
        const quote = text.indexOf('"', end);
        if (quote < 0) return false;
        let backslashes = 0;
        while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes += 1;
        end = quote + 1;
        if (backslashes % 2 === 0) break;
      }
      index = end - 1;
    } else if (code === OPEN_OBJECT || code === OPEN_ARRAY) {
      depth += 1;
      if (depth > limit) return true;
    } else if (code === CLOSE_OBJECT || code === CLOSE_ARRAY) depth -= 1;
  }
  return false;
}

/** `text` with the edits applied; the edits must not overlap (insertions at one place keep their order). */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  if (edits.length === 0) return text;
  const ordered = edits
    .map((edit, order) => ({ edit, order }))
    .sort((a, b) => a.edit.start - b.edit.start || a.order - b.order)
    .map(({ edit }) => edit);
  const parts: string[] = [];
  let cursor = 0;
  for (const edit of ordered) {
    if (edit.start < cursor) throw new RangeError('applyEdits: overlapping edits');
    parts.push(text.slice(cursor, edit.start), edit.text);
    cursor = edit.end;
  }
  parts.push(text.slice(cursor));
  return parts.join('');
}

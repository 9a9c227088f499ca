/**
 * JSON as a foreign sender may write it: random whitespace, escaped keys, a number written `7.0`, `7e0` or
 * `-0`, integers beyond double precision, a member repeated before its last (winning) occurrence. The same seed
 * renders the same choices, so a test can render what it sent and what it expects back (the same tree with a
 * few parameter fields changed, or inserted) and compare the texts byte for byte.
 */

/** A number token written as is (`12345678901234567890`, `-0`, `1E+2`). */
export class RawNumber {
  constructor(readonly text: string) {}
}

/** A member rendered before the object's own members and overridden by them (JSON.parse keeps the last). */
export type Decoy = readonly [key: string, value: unknown];

export type RenderExtras = {
  /** Per object: members rendered first, which a later member of the same key overrides. */
  decoys?: ReadonlyMap<object, readonly Decoy[]>;
  /** Per object: members appended as the validation route inserts them: `,"key":value` just before `}`. */
  inserted?: ReadonlyMap<object, readonly (readonly [string, unknown])[]>;
};

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const SPACES = ['', '', ' ', '\n  ', '\t', '\r\n', '  '];

export function renderJson(value: unknown, seed: number, extras: RenderExtras = {}): string {
  const random = mulberry32(seed);
  const pick = <T>(options: readonly T[]): T => options[Math.floor(random() * options.length)] as T;
  const space = () => pick(SPACES);

  const key = (name: string) => {
    if (name.length === 0 || random() < 0.7) return JSON.stringify(name);
    const code = name.charCodeAt(0).toString(16).padStart(4, '0');
    return `"\\u${code}${JSON.stringify(name.slice(1)).slice(1)}`;
  };

  const number = (n: number) => {
    if (Object.is(n, -0)) return '-0';
    if (!Number.isFinite(n)) return 'null';
    const plain = String(n);
    if (plain.includes('e')) return pick([plain, plain.toUpperCase()]);
    if (Number.isInteger(n)) return pick([plain, `${plain}.0`, `${plain}e0`, `${plain}E+0`]);
    return pick([plain, n.toExponential()]);
  };

  const render = (node: unknown): string => {
    if (node instanceof RawNumber) return node.text;
    if (typeof node === 'number') return number(node);
    if (typeof node !== 'object' || node === null) return JSON.stringify(node) ?? 'null';
    if (Array.isArray(node)) {
      if (node.length === 0) return `[${space()}]`;
      return `[${node.map((item) => `${space()}${render(item)}${space()}`).join(',')}]`;
    }
    const members = [
      ...(extras.decoys?.get(node) ?? []),
      ...Object.entries(node as Record<string, unknown>).filter(([, item]) => item !== undefined),
    ].map(([name, item]) => `${space()}${key(name)}${space()}:${space()}${render(item)}${space()}`);
    const inserted = (extras.inserted?.get(node) ?? [])
      .map(([name, item]) => `,${JSON.stringify(name)}:${JSON.stringify(item)}`)
      .join('');
    return `{${members.length === 0 ? space() : members.join(',')}${inserted}}`;
  };

  return `${space()}${render(value)}${space()}`;
}

/** Locating the parameter lists in a JSON text as received, and editing it in place (lib/engine/raw-json.ts). */
import { describe, expect, it } from 'vitest';
import { applyEdits, locateListEntries, nestsDeeperThan } from '../../../lib/engine';

const PATHS = [['asset', 'params']] as const;

function valueErrorSpan(text: string, entry = 0): string | undefined {
  const location = locateListEntries(text, PATHS)[0]?.[entry];
  const span = location?.members.get('value_error');
  return span && text.slice(span.start, span.end);
}

describe('locateListEntries', () => {
  it('finds each entry member and closing brace, whatever the whitespace', () => {
    const text =
      ' {\n "asset" : { "params" : [ { "id" : "a" , "value_error" : "x\\"y" } ,\t{"id":"b"} , 7 ] } }\n';
    const [entries] = locateListEntries(text, PATHS);
    expect(entries).toHaveLength(3);
    expect(valueErrorSpan(text)).toBe('"x\\"y"');
    expect(text[entries?.[1]?.close ?? -1]).toBe('}');
    expect(entries?.[1]?.members.has('value_error')).toBe(false);
    expect(entries?.[2]).toBeUndefined();
  });

  it('counts a repeated key in its last occurrence, as JSON.parse does, at every level', () => {
    const text =
      JSON.stringify({ asset: { params: [{ id: 'decoy' }] } }).replace(/}$/, '') +
      ',"asset":{"params":[{"id":"a","value_error":"first","value_error":"last"}]}}';
    expect(JSON.parse(text).asset.params[0].value_error).toBe('last');
    expect(valueErrorSpan(text)).toBe('"last"');
  });

  it('decodes escaped keys (\\u0076alue_error is value_error)', () => {
    const text = '{"\\u0061sset":{"par\\u0061ms":[{"id":"a","\\u0076alue_error":"e"}]}}';
    expect(valueErrorSpan(text)).toBe('"e"');
  });

  it('skips strings with escaped backslashes and quotes, and brackets inside strings', () => {
    const text = '{"note":"a\\\\","x":"}]{[\\"","asset":{"params":[{"id":"\\\\","value_error":"\\\\\\""}]}}';
    expect(JSON.parse(text).asset.params[0].value_error).toBe('\\"');
    expect(valueErrorSpan(text)).toBe('"\\\\\\""');
  });

  it('skips any nesting depth outside the lists without recursion', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const text = `{"deep":${deep},"asset":{"params":[{"id":"a","value_error":""}]}}`;
    expect(valueErrorSpan(text)).toBe('""');
  });

  it('answers undefined for a path that does not lead to an array', () => {
    expect(locateListEntries('{"asset":{"params":null}}', PATHS)).toEqual([undefined]);
    expect(locateListEntries('{"asset":[]}', PATHS)).toEqual([undefined]);
    expect(locateListEntries('[1,2]', PATHS)).toEqual([undefined]);
    expect(locateListEntries('{"asset":{"params":[]}}', PATHS)).toEqual([[]]);
  });

  it('finds both lists of a tier config request', () => {
    const text = '{"params":[{"id":"a"}],"configuration":{"params":[{"id":"a","value":"v"}]}}';
    const [request, configuration] = locateListEntries(text, [['params'], ['configuration', 'params']]);
    expect(request).toHaveLength(1);
    const span = configuration?.[0]?.members.get('value');
    expect(span && text.slice(span.start, span.end)).toBe('"v"');
  });
});

describe('applyEdits', () => {
  it('replaces and inserts, keeping every other byte', () => {
    const text = '{ "a" : 1.50 , "b" : "x" }';
    const b = text.indexOf('"x"');
    const close = text.lastIndexOf('}');
    expect(
      applyEdits(text, [
        { start: close, end: close, text: ',"c":"z"' },
        { start: b, end: b + 3, text: '"y"' },
      ]),
    ).toBe('{ "a" : 1.50 , "b" : "y" ,"c":"z"}');
    expect(applyEdits(text, [])).toBe(text);
  });

  it('refuses overlapping edits', () => {
    expect(() =>
      applyEdits('abcdef', [
        { start: 1, end: 4, text: '' },
        { start: 2, end: 3, text: '' },
      ]),
    ).toThrow(RangeError);
  });
});

describe('nestsDeeperThan', () => {
  it('counts objects and arrays, not brackets inside strings', () => {
    expect(nestsDeeperThan('{"a":[{"b":[]}]}', 4)).toBe(false);
    expect(nestsDeeperThan('{"a":[{"b":[]}]}', 3)).toBe(true);
    expect(nestsDeeperThan(`{"a":"${'['.repeat(100)}\\","b":"\\"[["}`, 2)).toBe(false);
    expect(nestsDeeperThan(`${'['.repeat(100_000)}${']'.repeat(100_000)}`, 64)).toBe(true);
    expect(nestsDeeperThan('"just a string"', 0)).toBe(false);
  });
});

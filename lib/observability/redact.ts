/**
 * Last line of defence against secrets in logs: masks Connect API keys, bearer tokens and bare JWTs in any
 * string, and the whole value of keys whose name says "secret". Code must not log secrets in the first place;
 * this only catches mistakes (an error message that quotes a header, a logged request config…).
 */

const REDACTED = '[REDACTED]';

const PATTERNS: ReadonlyArray<readonly [RegExp, string]> = [
  // `ApiKey SU-123-456-789:0123abcd…` (with or without the scheme).
  [/(ApiKey\s+)?SU-[A-Za-z0-9-]+:[^\s"',;)}\]]+/gi, `ApiKey ${REDACTED}`],
  // `Bearer <anything>` in headers, messages, curl lines.
  [/Bearer\s+[^\s"',;)}\]]+/gi, `Bearer ${REDACTED}`],
  // A bare compact JWS (header.payload.signature, the header always starts with `eyJ`).
  [/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, REDACTED],
];

/** Cheap pre-check so that ordinary strings skip the regular expressions. */
const SUSPICIOUS = /SU-|bearer|eyJ/i;

const SECRET_KEY =
  /^(authorization|authentication|x-api-key|api_?key|apikey|jwt_secret|secret|secrets|password|token)$/i;

export function redactSecrets(text: string): string {
  if (!SUSPICIOUS.test(text)) return text;
  let result = text;
  for (const [pattern, replacement] of PATTERNS) result = result.replace(pattern, replacement);
  return result;
}

/** A `JSON.stringify` replacer: masks secret-named keys and secret-looking strings anywhere in a record. */
export function redactingJsonReplacer(key: string, value: unknown): unknown {
  if (key !== '' && SECRET_KEY.test(key) && value !== undefined && value !== null && value !== '') {
    return REDACTED;
  }
  return typeof value === 'string' ? redactSecrets(value) : value;
}

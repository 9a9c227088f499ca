import { describe, expect, it } from 'vitest';
import { InvalidBodyEncodingError, PayloadTooLargeError, readRawBody } from '../../../lib/webhook';

describe('readRawBody', () => {
  it('returns a plain body unchanged', () => {
    const body = '{"product_id":"PRD-1","name":"Müller"}';

    const raw = readRawBody({ body, isBase64Encoded: false });

    expect(raw.text).toBe(body);
    expect(raw.bytes.equals(Buffer.from(body, 'utf8'))).toBe(true);
  });

  it('decodes a base64 body', () => {
    const body = '{"product_id":"PRD-1","name":"Müller"}';

    const raw = readRawBody({ body: Buffer.from(body).toString('base64'), isBase64Encoded: true });

    expect(raw.text).toBe(body);
  });

  it('treats a missing body as empty', () => {
    expect(readRawBody({ isBase64Encoded: false }).text).toBe('');
  });

  it('rejects invalid base64', () => {
    expect(() => readRawBody({ body: 'not base64!', isBase64Encoded: true })).toThrow(
      InvalidBodyEncodingError,
    );
  });

  it('accepts a body exactly at the limit', () => {
    const raw = readRawBody({ body: 'x'.repeat(1024), isBase64Encoded: false }, { maxBytes: 1024 });

    expect(raw.bytes.byteLength).toBe(1024);
  });

  it('rejects a plain body over the limit with a 413 error, counting bytes not characters', () => {
    const error = (() => {
      try {
        readRawBody({ body: 'é'.repeat(600), isBase64Encoded: false }, { maxBytes: 1024 });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();

    expect(error).toBeInstanceOf(PayloadTooLargeError);
    expect(error).toMatchObject({ statusCode: 413, actualBytes: 1200, limitBytes: 1024 });
  });

  it('rejects a base64 body whose decoded size is over the default 256 KB limit', () => {
    const body = Buffer.alloc(256 * 1024 + 1, 'a').toString('base64');

    expect(() => readRawBody({ body, isBase64Encoded: true })).toThrow(PayloadTooLargeError);
  });

  it('accepts a base64 body of exactly 256 KB', () => {
    const body = Buffer.alloc(256 * 1024, 'a').toString('base64');

    expect(readRawBody({ body, isBase64Encoded: true }).bytes.byteLength).toBe(256 * 1024);
  });
});

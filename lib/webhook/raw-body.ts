/**
 * The raw body of an API Gateway HTTP API (payload v2) event, base64 aware, with a size limit checked
 * before anything parses it.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { EdgeError } from './errors';

/** 256 KB: a webhook envelope is a few hundred bytes; anything near this is not Connect. */
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

export class PayloadTooLargeError extends EdgeError {
  override readonly name = 'PayloadTooLargeError';
  readonly limitBytes: number;
  readonly actualBytes: number;

  constructor(actualBytes: number, limitBytes: number) {
    super(413, 'payload_too_large', `The body exceeds ${limitBytes} bytes`, {
      logged: { bytes: actualBytes },
    });
    this.actualBytes = actualBytes;
    this.limitBytes = limitBytes;
  }
}

export class InvalidBodyEncodingError extends EdgeError {
  override readonly name = 'InvalidBodyEncodingError';

  constructor() {
    super(400, 'invalid_body', 'Request body is flagged base64-encoded but is not valid base64');
  }
}

export type RawBody = { bytes: Buffer; text: string };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function readRawBody(
  event: Pick<APIGatewayProxyEventV2, 'body' | 'isBase64Encoded'>,
  options: { maxBytes?: number } = {},
): RawBody {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BODY_BYTES;
  const body = event.body ?? '';
  if (!event.isBase64Encoded) {
    const bytes = Buffer.from(body, 'utf8');
    if (bytes.byteLength > maxBytes) throw new PayloadTooLargeError(bytes.byteLength, maxBytes);
    return { bytes, text: body };
  }
  const compact = body.replace(/\s+/g, '');
  // Decoded size is known from the encoded length: refuse before allocating.
  const padding = compact.endsWith('==') ? 2 : compact.endsWith('=') ? 1 : 0;
  const decodedLength = Math.floor((compact.length * 3) / 4) - padding;
  if (decodedLength > maxBytes) throw new PayloadTooLargeError(decodedLength, maxBytes);
  if (compact.length % 4 !== 0 || !BASE64.test(compact)) throw new InvalidBodyEncodingError();
  const bytes = Buffer.from(compact, 'base64');
  return { bytes, text: bytes.toString('utf8') };
}

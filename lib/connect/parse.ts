/** Turns a 2xx answer into a typed value: JSON first, then the zod schema; failures are {@link ConnectResponseError}. */
import type * as z from '../zod';
import { ConnectResponseError } from './errors';
import type { TransportCall, TransportResponse } from './transport';

const MAX_ISSUES = 3;

function responseError(call: TransportCall, response: TransportResponse, detail: string, cause?: unknown) {
  return new ConnectResponseError({
    method: call.method,
    path: call.path,
    status: response.status,
    message: `Connect ${call.method} ${call.path} returned an unexpected response (${response.status}): ${detail}`,
    cause,
  });
}

/** Parses the body of `response` with `schema`; the error names the failing fields. */
export function parseBody<T>(schema: z.ZodMiniType<T>, call: TransportCall, response: TransportResponse): T {
  let json: unknown;
  try {
    json = JSON.parse(response.text);
  } catch (error) {
    throw responseError(call, response, 'body is not JSON', error);
  }
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, MAX_ISSUES).map((issue) => {
    const where = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)';
    return `${where}: ${issue.message}`;
  });
  const more =
    result.error.issues.length > MAX_ISSUES ? ` (+${result.error.issues.length - MAX_ISSUES} more)` : '';
  throw responseError(call, response, `${issues.join('; ')}${more}`, result.error);
}

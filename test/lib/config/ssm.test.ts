/**
 * The secrets' SSM read through the real SDK client, against a loopback stand-in for SSM's JSON API (the SDK's
 * `AWS_ENDPOINT_URL_SSM`, dummy credentials in the environment as Lambda's role gives them): the call it makes,
 * the value it returns, and an SSM error as `describeSsmFailure` names it.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readSsmParameter } from '../../../lib/config';
import { describeSsmFailure } from '../../../lib/config/secrets';

type Seen = { target: string | undefined; body: unknown; authorization: string | undefined };
const seen: Seen[] = [];
const VALUE = 'ApiKey SU-000-000-001:from-ssm';
let server: ReturnType<typeof createServer>;

async function bodyOf(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

beforeAll(async () => {
  server = createServer((req, res) => {
    void bodyOf(req).then((body) => {
      seen.push({
        target: req.headers['x-amz-target'] as string | undefined,
        body,
        authorization: req.headers.authorization,
      });
      const name = (body as { Name?: string }).Name;
      res.setHeader('content-type', 'application/x-amz-json-1.1');
      if (name === '/missing') {
        res.statusCode = 400;
        res.end(JSON.stringify({ __type: 'ParameterNotFound', message: `Parameter ${name} not found.` }));
        return;
      }
      res.end(JSON.stringify({ Parameter: { Name: name, Type: 'SecureString', Value: VALUE, Version: 3 } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  vi.stubEnv('AWS_ENDPOINT_URL_SSM', `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  vi.stubEnv('AWS_REGION', 'eu-west-1');
  vi.stubEnv('AWS_ACCESS_KEY_ID', 'test-access-key');
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'test-secret-key');
});

afterAll(async () => {
  vi.unstubAllEnvs();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('readSsmParameter', () => {
  it('reads a SecureString decrypted with one signed GetParameter, and returns its value', async () => {
    const value = await readSsmParameter('/connect-fulfillment/prod/api-key');

    expect(value).toBe(VALUE);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      target: 'AmazonSSM.GetParameter',
      body: { Name: '/connect-fulfillment/prod/api-key', WithDecryption: true },
    });
    expect(seen[0]?.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=test-access-key\/\d{8}\/eu-west-1\/ssm\//,
    );
  });

  it("fails with SSM's own exception, which the secrets' error names without its message", async () => {
    const error = await readSsmParameter('/missing').catch((caught: unknown) => caught);

    expect(error).toMatchObject({ name: 'ParameterNotFound' });
    expect(describeSsmFailure(error)).toBe('not found (ParameterNotFound)');
  });
});

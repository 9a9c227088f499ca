import { describe, expect, it } from 'vitest';
import { awsClientConfig, LOCAL_AWS_CREDENTIALS } from '../../../lib/config';

describe('awsClientConfig', () => {
  it('points a client at a local endpoint with dummy credentials and a default region', () => {
    expect(awsClientConfig({ endpoint: 'http://127.0.0.1:4567' })).toEqual({
      cacheMiddleware: true,
      endpoint: 'http://127.0.0.1:4567',
      region: 'us-east-1',
      credentials: LOCAL_AWS_CREDENTIALS,
    });
    expect(awsClientConfig({ endpoint: 'http://127.0.0.1:4567', region: 'eu-west-1' }).region).toBe(
      'eu-west-1',
    );
  });

  it("leaves region and credentials to the runtime without an endpoint, and sets no account's keys", () => {
    expect(awsClientConfig()).toEqual({ cacheMiddleware: true });
    expect(awsClientConfig({ region: 'eu-west-1' })).toEqual({ cacheMiddleware: true, region: 'eu-west-1' });
    expect(awsClientConfig({ endpoint: '', region: 'eu-west-1' })).not.toHaveProperty('credentials');
  });

  it('hands each client a copy of the local credentials, never the shared object', () => {
    const first = awsClientConfig({ endpoint: 'http://127.0.0.1:1' }).credentials;
    expect(first).not.toBe(LOCAL_AWS_CREDENTIALS);
  });
});

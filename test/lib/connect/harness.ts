/** A client wired to a scripted fetch, an instant sleep that advances a fake clock, and fixed jitter. */
import { type ConnectClientOptions, createConnectClient, type RetryEvent } from '../../../lib/connect';
import { BASE_URL, fakeFetch, type ScriptedReply } from './fake-fetch';

export const API_KEY = 'SU-123-456-789:9f2c61d0a4b8e7f35c2d';
export const START_MS = Date.parse('2024-03-04T10:00:00Z');

export function setup(replies: readonly ScriptedReply[], options: Partial<ConnectClientOptions> = {}) {
  const fake = fakeFetch(replies);
  const sleeps: number[] = [];
  const retries: RetryEvent[] = [];
  let clock = START_MS;
  const client = createConnectClient({
    apiUrl: BASE_URL,
    apiKey: API_KEY,
    fetch: fake.fetch,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    random: () => 0.5,
    now: () => clock,
    onRetry: (event) => retries.push(event),
    ...options,
  });
  return { client, calls: fake.calls, sleeps, retries, remaining: fake.remaining };
}

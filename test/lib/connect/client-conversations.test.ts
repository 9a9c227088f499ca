import { describe, expect, it } from 'vitest';
import { ConnectServerError } from '../../../lib/connect';
import { buildConversation, buildConversationMessage } from '../../support/builders';
import { json } from './fake-fetch';
import { setup } from './harness';

describe('conversations', () => {
  it('findByInstanceId queries by instance_id and takes the first', async () => {
    // Prepare
    const { client, calls } = setup([
      json([buildConversation(), buildConversation({ id: 'CO-000-000-002' })], 200, {
        'Content-Range': 'items 0-1/2',
      }),
    ]);

    // Act
    const conversation = await client.conversations.findByInstanceId('PR-4412-0097-3381-001');

    // Assess
    expect(calls[0]?.method).toBe('GET');
    expect(calls[0]?.target).toBe('/conversations?instance_id=PR-4412-0097-3381-001');
    expect(conversation?.id).toBe('CO-281-730-664');
  });

  it('findByInstanceId returns undefined when there is none', async () => {
    // Prepare
    const { client } = setup([json([], 200, { 'Content-Range': 'items 0-0/0' })]);

    // Act
    const conversation = await client.conversations.findByInstanceId('PR-0');

    // Assess
    expect(conversation).toBeUndefined();
  });

  it('postMessage POSTs {text} and parses the 201 message', async () => {
    // Prepare
    const { client, calls } = setup([
      json(buildConversationMessage({ text: 'Skipped: tenant locked' }), 201),
    ]);

    // Act
    const message = await client.conversations.postMessage('CO-281-730-664', 'Skipped: tenant locked');

    // Assess
    expect(calls[0]?.method).toBe('POST');
    expect(calls[0]?.target).toBe('/conversations/CO-281-730-664/messages');
    expect(calls[0]?.body).toEqual({ text: 'Skipped: tenant locked' });
    expect(message.id).toBe('ME-904-118-270');
    expect(message.text).toBe('Skipped: tenant locked');
  });

  it('postMessage is not retried on a 503 (a message could be posted twice)', async () => {
    // Prepare
    const { client, calls } = setup([{ status: 503, text: 'Service Unavailable' }]);

    // Act
    const result = client.conversations.postMessage('CO-1', 'hello');

    // Assess
    await expect(result).rejects.toBeInstanceOf(ConnectServerError);
    expect(calls).toHaveLength(1);
  });

  it('postMessage is retried on a 429', async () => {
    // Prepare
    const { client, calls } = setup([
      { status: 429, headers: { 'Retry-After': '1' } },
      json(buildConversationMessage(), 201),
    ]);

    // Act
    await client.conversations.postMessage('CO-1', 'hello');

    // Assess
    expect(calls).toHaveLength(2);
  });
});

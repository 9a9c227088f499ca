/**
 * The task store's paging and retries on the plain DynamoDB client: what DynamoDB hands back for the next
 * call (`LastEvaluatedKey`, `UnprocessedKeys`) goes back verbatim, and items come back unmarshalled. A fake
 * client: dynalite never pages a small table nor leaves keys unprocessed.
 */
import {
  type AttributeValue,
  type BatchGetItemCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { createTaskStore, type DynamoSender } from '../../../lib/tasks';

const TABLE = 'paging-tasks';
type Sent = BatchGetItemCommand | QueryCommand | ScanCommand;

/** Answers each call with the next canned answer and keeps what it was sent. */
function fakeClient(answers: unknown[]) {
  const sent: Sent[] = [];
  const client = {
    async send(command: Sent) {
      sent.push(command);
      if (answers.length === 0) throw new Error(`unexpected call: ${command.constructor.name}`);
      return answers.shift();
    },
  } as unknown as DynamoSender;
  return { client, sent };
}

const item = (id: string, updatedAt: number): Record<string, AttributeValue> =>
  marshall({ id, state: 'done', productId: 'PRD-1', updatedAt, attempts: 1, history: [] });

describe('the task store over pages', () => {
  it('lists every page of a scan, each next call starting where DynamoDB stopped', async () => {
    // Arrange
    const next = { id: { S: 'PR-2' } };
    const { client, sent } = fakeClient([
      { Items: [item('PR-1', 1), item('PR-2', 2)], LastEvaluatedKey: next },
      { Items: [item('PR-3', 3)] },
    ]);
    const store = createTaskStore({ table: TABLE, client });

    // Act
    const records = await store.list();

    // Assess
    expect(records.map((record) => record.id)).toEqual(['PR-3', 'PR-2', 'PR-1']);
    expect(sent.map((command) => command instanceof ScanCommand)).toEqual([true, true]);
    expect(sent[0]?.input).not.toHaveProperty('ExclusiveStartKey', expect.anything());
    expect((sent[1] as ScanCommand).input.ExclusiveStartKey).toBe(next);
  });

  it('counts parked records over every page of the attention index', async () => {
    const next = { attention: { S: 'parked' }, id: { S: 'PR-9' }, updatedAt: { N: '9' } };
    const { client, sent } = fakeClient([{ Count: 100, LastEvaluatedKey: next }, { Count: 7 }]);
    const store = createTaskStore({ table: TABLE, client });

    expect(await store.countParked()).toBe(107);
    expect(sent.every((command) => command instanceof QueryCommand)).toBe(true);
    expect((sent[1] as QueryCommand).input.ExclusiveStartKey).toBe(next);
    expect((sent[0] as QueryCommand).input.ExpressionAttributeValues).toEqual({ ':state': { S: 'parked' } });
  });

  it('asks again for the keys a batch left unprocessed, as DynamoDB returned them', async () => {
    // Arrange
    const left = [{ id: { S: 'PR-2' } }];
    const { client, sent } = fakeClient([
      { Responses: { [TABLE]: [item('PR-1', 1)] }, UnprocessedKeys: { [TABLE]: { Keys: left } } },
      { Responses: { [TABLE]: [item('PR-2', 2)] } },
    ]);
    const store = createTaskStore({ table: TABLE, client });

    // Act
    const found = await store.getMany(['PR-1', 'PR-2']);

    // Assess
    expect([...found.keys()].sort()).toEqual(['PR-1', 'PR-2']);
    expect((sent[0] as BatchGetItemCommand).input.RequestItems?.[TABLE]?.Keys).toEqual([
      { id: { S: 'PR-1' } },
      { id: { S: 'PR-2' } },
    ]);
    expect((sent[1] as BatchGetItemCommand).input.RequestItems?.[TABLE]?.Keys).toBe(left);
  });
});

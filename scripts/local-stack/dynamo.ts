/** A local DynamoDB (dynalite, in process) with the task table created as serverless.yml declares it. */
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { LOCAL_AWS_CREDENTIALS } from '../../lib/config/aws-clients';

export type LocalDynamo = {
  endpoint: string;
  port: number;
  /** The DynamoDB calls served so far, per operation (`UpdateItem`, `BatchGetItem`, …): for the benchmarks. */
  operations(): Record<string, number>;
  stop(): Promise<void>;
};

/** Dummy credentials: dynalite accepts any, and no real AWS account is ever touched. */
export { LOCAL_AWS_CREDENTIALS };

/**
 * The task table of serverless.yml (`TasksTable`): key `id`, and the sparse index `attention` (key
 * `attention`, sorted by `updatedAt`) over the parked and rescheduled records.
 */
export async function createTasksTable(endpoint: string, tableName: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: LOCAL_AWS_CREDENTIALS });
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [
          { AttributeName: 'id', AttributeType: 'S' },
          { AttributeName: 'attention', AttributeType: 'S' },
          { AttributeName: 'updatedAt', AttributeType: 'N' },
        ],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'attention',
            KeySchema: [
              { AttributeName: 'attention', KeyType: 'HASH' },
              { AttributeName: 'updatedAt', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } finally {
    client.destroy();
  }
}

export async function startLocalDynamo(port: number, tableName: string): Promise<LocalDynamo> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;
  const endpoint = `http://127.0.0.1:${actualPort}`;
  await createTasksTable(endpoint, tableName);
  const operations: Record<string, number> = {};
  server.on('request', (request: { headers: Record<string, string | string[] | undefined> }) => {
    // `X-Amz-Target: DynamoDB_20120810.UpdateItem`
    const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? 'unknown';
    operations[operation] = (operations[operation] ?? 0) + 1;
  });
  return {
    endpoint,
    port: actualPort,
    operations: () => ({ ...operations }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
  };
}

/** The idempotency store on DynamoDB; `endpoint` points it at a local DynamoDB (dynalite) offline. */
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export type PersistenceOptions = { table: string; endpoint?: string | undefined; region?: string };

export function createPersistenceStore(options: PersistenceOptions): DynamoDBPersistenceLayer {
  const client = options.endpoint
    ? new DynamoDBClient({
        endpoint: options.endpoint,
        region: options.region ?? 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      })
    : new DynamoDBClient({});
  return new DynamoDBPersistenceLayer({ tableName: options.table, awsSdkV3Client: client });
}

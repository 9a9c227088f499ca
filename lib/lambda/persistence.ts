/** The idempotency store; `DYNAMODB_ENDPOINT` points it at a local DynamoDB (dynalite) offline. */
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

export function createPersistenceStore(tableName: string, env = process.env): DynamoDBPersistenceLayer {
  const endpoint = env.DYNAMODB_ENDPOINT;
  const client = endpoint
    ? new DynamoDBClient({
        endpoint,
        region: env.AWS_REGION || 'us-east-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      })
    : new DynamoDBClient({});
  return new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: client });
}

/**
 * The task records in DynamoDB (one table, key `id` = the request id, TTL `expiresAt`, a sparse index
 * `attention` for the parked and rescheduled ones). Every write that decides something is conditional, so two
 * dispatches of one request can never both hold it:
 *
 * - `claim`: one conditional update per dispatched request (the dispatcher); a duplicate delivery fails the
 *   condition and invokes nothing;
 * - `complete`: one update per attempt (the type function), conditional on its claim's token;
 * - `getMany`: one batch read per 100 listed requests, so the dispatcher skips what is taken without writing.
 *
 * Processed request = 2 writes (claim, complete); see docs/lifecycle.md.
 */
import {
  type AttributeValue,
  BatchGetItemCommand,
  type BatchGetItemCommandOutput,
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  ScanCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { awsClientConfig } from '../config/aws-clients';
import {
  type Attempt,
  type Claim,
  failuresFor,
  HISTORY_LENGTH,
  type Listed,
  orderedHistory,
  type TaskError,
  type TaskOutcome,
  type TaskRecord,
  type TaskState,
} from './record';

export type TaskStoreOptions = {
  table: string;
  /** A local DynamoDB (dynalite) for the local stack and tests. */
  endpoint?: string | undefined;
  region?: string | undefined;
  /** Called once per DynamoDB call made (for the benchmarks' counts and for metrics). */
  onCall?: (operation: string) => void;
  /** The client to send through (a fake in unit tests); default: one built from `endpoint` and `region`. */
  client?: DynamoSender;
};

/** What the store needs of a DynamoDBClient. */
export type DynamoSender = Pick<DynamoDBClient, 'send'>;

/** What the dispatcher knows of a request it claims. */
export type ClaimRequest = Listed & {
  objectClass: string;
  type: string;
  productId: string;
  fn: string;
  token: string;
  now: number;
  leaseSeconds: number;
};

/** How an attempt ended, for the record. */
export type Completion = {
  id: string;
  token: string;
  state: Exclude<TaskState, 'processing'> | 'processing';
  outcome: TaskOutcome;
  /** The version the attempt ran on. */
  version: string;
  attempt: Attempt;
  now: number;
  /** done: when a skipped request may be dispatched again. */
  retryAt?: number | undefined;
  /** rescheduled: when it is due. */
  dueAt?: number | undefined;
  /** The new counts (the type function computes them from its claim). */
  failures?: number | undefined;
  reschedules?: number | undefined;
  firstRescheduledAt?: number | undefined;
  /** An outage's count in a row; `undefined` (any other end) resets it. */
  outages?: number | undefined;
  error?: TaskError | undefined;
  reason?: string | undefined;
  /** TTL in seconds since the epoch; `undefined` removes it (a parked record stays until released). */
  expiresAt: number | undefined;
  /**
   * Only while the claim's run has written no end of its own (the dispatcher recording a run that crashed):
   * never over a decision.
   */
  whileProcessing?: boolean;
};

export type ParkRequest = {
  id: string;
  objectClass: string;
  type: string;
  productId: string;
  fn: string;
  version: string;
  reason: string;
  error?: TaskError | undefined;
  now: number;
};

export type TaskStore = {
  /** The records of these ids (absent ids are missing from the map). */
  getMany(ids: readonly string[]): Promise<Map<string, TaskRecord>>;
  get(id: string): Promise<TaskRecord | undefined>;
  /** Claims a listed request for one dispatch; `undefined` when it is not claimable. */
  claim(request: ClaimRequest): Promise<Claim | undefined>;
  /**
   * Claims a rescheduled request whose time has come (its trigger, or an operator's release); a retry of the
   * same trigger (the same token) may take its own claim again.
   */
  claimDue(request: {
    id: string;
    token: string;
    now: number;
    leaseSeconds: number;
  }): Promise<(Claim & { record: TaskRecord }) | undefined>;
  /** Writes an attempt's end; false when the claim was lost (another dispatch holds the request now). */
  complete(completion: Completion): Promise<boolean>;
  /** Gives a claim back (its run could not be started): the lease ends now; false when it was not ours. */
  expire(id: string, token: string, now: number): Promise<boolean>;
  /** Parks a request nobody could dispatch (an unparseable listing); false when it was parked already. */
  park(request: ParkRequest): Promise<boolean>;
  /** Makes a parked or rescheduled request due now; `undefined` when it is neither. */
  release(id: string, now: number): Promise<TaskRecord | undefined>;
  /** How many requests are parked now (the `attention` index, counted: no record is read). */
  countParked(): Promise<number>;
  /** The records in a state of attention (parked, rescheduled), or every record, optionally of one product. */
  list(filter?: { state?: 'parked' | 'rescheduled'; productId?: string }): Promise<TaskRecord[]>;
  /**
   * A lock in the same table (item `lock#<key>`, never listed): true when `token` holds it now (taken, or
   * already ours), false when another holder's lease runs.
   */
  acquireLock(key: string, token: string, now: number, leaseMs: number): Promise<boolean>;
  /** Asks the holder to run once more when it ends; false when nobody holds the lock any more. */
  queueOnLock(key: string, token: string, now: number): Promise<boolean>;
  /** Lets the lock go: `again` when someone queued meanwhile (the flag is cleared, the lock still ours). */
  releaseLock(key: string, token: string): Promise<'released' | 'again' | 'lost'>;
  /**
   * Lets the lock go whatever was queued on it (a dispatch that failed or stops): the next order takes it at
   * once instead of queueing on a holder that is gone. False when it was not ours.
   */
  dropLock(key: string, token: string): Promise<boolean>;
};

const LOCK_PREFIX = 'lock#';

/** The record from its item: the history ring in order, the counts defaulted. */
export function recordFromItem(item: Record<string, unknown>): TaskRecord {
  const { h0, h1, h2, h3, h4, h5, h6, h7, h8, h9, attention: _attention, ...rest } = item;
  const record = rest as Partial<Omit<TaskRecord, 'history'>> & Pick<TaskRecord, 'id'>;
  return {
    ...(record as Omit<TaskRecord, 'history'>),
    attempts: record.attempts ?? 0,
    failures: record.failures ?? 0,
    reschedules: record.reschedules ?? 0,
    outages: record.outages ?? 0,
    history: orderedHistory([h0, h1, h2, h3, h4, h5, h6, h7, h8, h9] as Array<Attempt | undefined>),
  };
}

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'ConditionalCheckFailedException')
  );
}

const namesOf = new Map<string, Readonly<Record<string, string>>>();

/**
 * `{'#state': 'state', …}` for every `#name` of an expression. The store's expressions come from a bounded
 * set (fixed strings, and a completion's combinations of attributes; values travel apart), so each one's
 * names are worked out once.
 */
function attributeNames(expression: string): Readonly<Record<string, string>> {
  let names = namesOf.get(expression);
  if (!names) {
    names = Object.fromEntries(
      [...expression.matchAll(/#(\w+)/g)].map(([token, name]) => [token, name as string]),
    );
    namesOf.set(expression, names);
  }
  return names;
}

/** Attributes set to `undefined` are left out (a completion REMOVEs them instead). */
const MARSHALL = { removeUndefinedValues: true } as const;

const keyOf = (id: string): Record<string, AttributeValue> => ({ id: { S: id } });

const CLAIMABLE = [
  'attribute_not_exists(#id)',
  '(#state = :processing AND #leaseUntil < :now)',
  '(#state = :done AND #decidedAt < :listedAt AND (#version <> :version OR #retryAt <= :now))',
  '(#state = :rescheduled AND #dueAt <= :now AND (attribute_not_exists(#decidedAt) OR #decidedAt < :listedAt))',
  '(#state = :parked AND #decidedAt < :listedAt AND #version <> :version)',
].join(' OR ');

export function createTaskStore(options: TaskStoreOptions): TaskStore {
  // The plain client, items (un)marshalled here: the DocumentClient refuses `cacheMiddleware`.
  const db: DynamoSender = options.client ?? new DynamoDBClient(awsClientConfig(options));
  const TableName = options.table;
  const count = (operation: string) => options.onCall?.(operation);

  /**
   * An update whose attribute names are all written `#name` (DynamoDB reserves many words: state, type…);
   * with `returnNew`, the item as it is now (otherwise `{}`).
   */
  async function update(input: {
    id: string;
    condition: string;
    expression: string;
    values: Record<string, unknown>;
    returnNew?: boolean;
  }) {
    count('UpdateItem');
    const answer = await db.send(
      new UpdateItemCommand({
        TableName,
        Key: keyOf(input.id),
        ConditionExpression: input.condition,
        UpdateExpression: input.expression,
        ExpressionAttributeNames: attributeNames(`${input.condition} ${input.expression}`),
        ExpressionAttributeValues: marshall(input.values, MARSHALL),
        ...(input.returnNew ? { ReturnValues: 'ALL_NEW' as const } : {}),
      }),
    );
    return answer.Attributes === undefined ? {} : unmarshall(answer.Attributes);
  }

  const claimOf = (item: Record<string, unknown>, version: string): Claim => {
    const record = recordFromItem(item);
    return {
      token: record.token ?? '',
      leaseUntil: record.leaseUntil ?? 0,
      attempt: record.attempts,
      failures: failuresFor(record, version),
      reschedules: record.reschedules,
      firstRescheduledAt: record.firstRescheduledAt,
      outages: record.outages,
    };
  };

  return {
    async getMany(ids) {
      const found = new Map<string, TaskRecord>();
      for (let start = 0; start < ids.length; start += 100) {
        let keys: Array<Record<string, AttributeValue>> | undefined = ids
          .slice(start, start + 100)
          .map(keyOf);
        // Unprocessed keys (throttling) are asked again; a batch never returns more than it was asked.
        for (let round = 0; keys !== undefined && keys.length > 0 && round < 5; round += 1) {
          count('BatchGetItem');
          const answer: BatchGetItemCommandOutput = await db.send(
            new BatchGetItemCommand({ RequestItems: { [TableName]: { Keys: keys } } }),
          );
          for (const item of answer.Responses?.[TableName] ?? []) {
            const record = recordFromItem(unmarshall(item));
            found.set(record.id, record);
          }
          keys = answer.UnprocessedKeys?.[TableName]?.Keys;
        }
      }
      return found;
    },

    async get(id) {
      count('GetItem');
      const answer = await db.send(new GetItemCommand({ TableName, Key: keyOf(id), ConsistentRead: true }));
      return answer.Item === undefined ? undefined : recordFromItem(unmarshall(answer.Item));
    },

    async claim(request) {
      const leaseUntil = request.now + request.leaseSeconds * 1000;
      try {
        const item = await update({
          id: request.id,
          condition: CLAIMABLE,
          expression:
            'SET #state = :processing, #version = :version, #token = :token, #claimedAt = :now, ' +
            '#leaseUntil = :lease, #objectClass = :objectClass, #type = :type, #productId = :productId, ' +
            '#fn = :fn, #updatedAt = :now, #attempts = if_not_exists(#attempts, :zero) + :one, ' +
            '#failures = if_not_exists(#failures, :zero), #reschedules = if_not_exists(#reschedules, :zero), ' +
            '#expiresAt = :expires REMOVE #attention, #dueAt, #retryAt',
          values: {
            ':processing': 'processing',
            ':done': 'done',
            ':rescheduled': 'rescheduled',
            ':parked': 'parked',
            ':now': request.now,
            ':listedAt': request.listedAt,
            ':version': request.version,
            ':token': request.token,
            ':lease': leaseUntil,
            ':objectClass': request.objectClass,
            ':type': request.type,
            ':productId': request.productId,
            ':fn': request.fn,
            ':zero': 0,
            ':one': 1,
            // Kept at least a day past the lease: a crashed run's record outlives its lease.
            ':expires': Math.ceil(leaseUntil / 1000) + 86_400,
          },
          returnNew: true,
        });
        return claimOf(item, request.version);
      } catch (error) {
        if (isConditionFailure(error)) return undefined;
        throw error;
      }
    },

    async claimDue(request) {
      const leaseUntil = request.now + request.leaseSeconds * 1000;
      try {
        const item = await update({
          id: request.id,
          condition:
            '(#state = :rescheduled AND #dueAt <= :now) OR (#state = :processing AND #token = :token)',
          expression:
            'SET #state = :processing, #token = :token, #claimedAt = :now, #leaseUntil = :lease, ' +
            '#updatedAt = :now, #attempts = #attempts + :one, #expiresAt = :expires REMOVE #attention, #dueAt, #retryAt',
          values: {
            ':rescheduled': 'rescheduled',
            ':processing': 'processing',
            ':now': request.now,
            ':token': request.token,
            ':lease': leaseUntil,
            ':one': 1,
            ':expires': Math.ceil(leaseUntil / 1000) + 86_400,
          },
          returnNew: true,
        });
        const record = recordFromItem(item);
        return { ...claimOf(item, record.version), record };
      } catch (error) {
        if (isConditionFailure(error)) return undefined;
        throw error;
      }
    },

    async complete(completion) {
      const values: Record<string, unknown> = {
        ':state': completion.state,
        ':token': completion.token,
        ':outcome': completion.outcome,
        ':version': completion.version,
        ':attempt': completion.attempt,
        ':now': completion.now,
      };
      const set = [
        '#state = :state',
        '#outcome = :outcome',
        '#version = :version',
        `#h${completion.attempt.n % HISTORY_LENGTH} = :attempt`,
        '#updatedAt = :now',
      ];
      const remove: string[] = [];
      const optional = (attribute: string, value: unknown) => {
        if (value === undefined) remove.push(`#${attribute}`);
        else {
          set.push(`#${attribute} = :${attribute}`);
          values[`:${attribute}`] = value;
        }
      };
      if (completion.state !== 'processing') set.push('#decidedAt = :now');
      optional('retryAt', completion.retryAt);
      optional('dueAt', completion.dueAt);
      optional('reason', completion.reason);
      optional('expiresAt', completion.expiresAt);
      // The error of an attempt stays visible until an attempt ends without one.
      optional('error', completion.error);
      if (completion.failures !== undefined) {
        optional('failures', completion.failures);
        optional('failuresVersion', completion.version);
      }
      if (completion.reschedules !== undefined) optional('reschedules', completion.reschedules);
      optional('outages', completion.outages);
      if (completion.firstRescheduledAt !== undefined) {
        optional('firstRescheduledAt', completion.firstRescheduledAt);
      }
      if (completion.state === 'parked' || completion.state === 'rescheduled')
        set.push('#attention = :state');
      else remove.push('#attention');
      // A processing record keeps its lease: the run is not over (Lambda retries it).
      if (completion.state !== 'processing') remove.push('#leaseUntil');
      try {
        if (completion.whileProcessing) values[':processing'] = 'processing';
        await update({
          id: completion.id,
          condition: completion.whileProcessing
            ? '#token = :token AND #state = :processing'
            : '#token = :token',
          expression: `SET ${set.join(', ')}${remove.length > 0 ? ` REMOVE ${remove.join(', ')}` : ''}`,
          values,
        });
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async park(request) {
      try {
        await update({
          id: request.id,
          condition: 'attribute_not_exists(#id) OR #state <> :parked OR #version <> :version',
          expression:
            'SET #state = :parked, #attention = :parked, #version = :version, #objectClass = :objectClass, ' +
            '#type = :type, #productId = :productId, #fn = :fn, #reason = :reason, #outcome = :parked, ' +
            '#decidedAt = :now, #updatedAt = :now, #attempts = if_not_exists(#attempts, :zero), ' +
            '#failures = if_not_exists(#failures, :zero), #reschedules = if_not_exists(#reschedules, :zero)' +
            (request.error === undefined
              ? ' REMOVE #expiresAt, #error'
              : ', #error = :error REMOVE #expiresAt'),
          values: {
            ':parked': 'parked',
            ':version': request.version,
            ':objectClass': request.objectClass,
            ':type': request.type,
            ':productId': request.productId,
            ':fn': request.fn,
            ':reason': request.reason,
            ':now': request.now,
            ':zero': 0,
            ...(request.error === undefined ? {} : { ':error': request.error }),
          },
        });
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async expire(id, token, now) {
      try {
        await update({
          id,
          condition: '#state = :processing AND #token = :token',
          expression: 'SET #leaseUntil = :now, #updatedAt = :now',
          values: { ':processing': 'processing', ':token': token, ':now': now - 1 },
        });
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async acquireLock(key, token, now, leaseMs) {
      try {
        await update({
          id: `${LOCK_PREFIX}${key}`,
          condition: 'attribute_not_exists(#id) OR #leaseUntil < :now OR #token = :token',
          // The queued flag stays: an order queued on this holder's previous round (or a continuation's hop) is
          // still owed a listing, and a stale one costs one listing at most.
          expression: 'SET #token = :token, #leaseUntil = :lease, #updatedAt = :now, #expiresAt = :expires',
          values: {
            ':token': token,
            ':now': now,
            ':lease': now + leaseMs,
            ':expires': Math.ceil((now + leaseMs) / 1000) + 86_400,
          },
        });
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async queueOnLock(key, token, now) {
      try {
        await update({
          id: `${LOCK_PREFIX}${key}`,
          condition: '#leaseUntil >= :now AND #token <> :token',
          expression: 'SET #again = :true',
          values: { ':now': now, ':token': token, ':true': true },
        });
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async releaseLock(key, token) {
      const id = `${LOCK_PREFIX}${key}`;
      try {
        await update({
          id,
          condition: '#token = :token AND attribute_not_exists(#again)',
          expression: 'SET #leaseUntil = :zero',
          values: { ':token': token, ':zero': 0 },
        });
        return 'released';
      } catch (error) {
        if (!isConditionFailure(error)) throw error;
      }
      try {
        await update({
          id,
          condition: '#token = :token',
          expression: 'REMOVE #again',
          values: { ':token': token },
        });
        return 'again';
      } catch (error) {
        if (isConditionFailure(error)) return 'lost';
        throw error;
      }
    },

    async dropLock(key, token) {
      try {
        await update({
          id: `${LOCK_PREFIX}${key}`,
          condition: '#token = :token',
          expression: 'SET #leaseUntil = :zero REMOVE #again',
          values: { ':token': token, ':zero': 0 },
        });
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw error;
      }
    },

    async release(id, now) {
      try {
        const item = await update({
          id,
          condition: '#state IN (:parked, :rescheduled)',
          expression:
            'SET #state = :rescheduled, #attention = :rescheduled, #dueAt = :now, #updatedAt = :now, ' +
            '#failures = :zero, #reschedules = :zero, #expiresAt = :expires ' +
            'REMOVE #reason, #failuresVersion, #firstRescheduledAt, #outages',
          values: {
            ':parked': 'parked',
            ':rescheduled': 'rescheduled',
            ':now': now,
            ':zero': 0,
            ':expires': Math.ceil(now / 1000) + 30 * 86_400,
          },
          returnNew: true,
        });
        return recordFromItem(item);
      } catch (error) {
        if (isConditionFailure(error)) return undefined;
        throw error;
      }
    },

    async countParked() {
      let total = 0;
      let start: Record<string, AttributeValue> | undefined;
      do {
        const page = await db.send(
          new QueryCommand({
            TableName,
            IndexName: 'attention',
            KeyConditionExpression: '#attention = :state',
            ExpressionAttributeNames: { '#attention': 'attention' },
            ExpressionAttributeValues: { ':state': { S: 'parked' } },
            Select: 'COUNT',
            ExclusiveStartKey: start,
          }),
        );
        count('Query');
        total += page.Count ?? 0;
        start = page.LastEvaluatedKey;
      } while (start !== undefined);
      return total;
    },

    async list(filter = {}) {
      const items: Array<Record<string, unknown>> = [];
      let start: Record<string, AttributeValue> | undefined;
      do {
        const page = filter.state
          ? await db.send(
              new QueryCommand({
                TableName,
                IndexName: 'attention',
                KeyConditionExpression: '#attention = :state',
                ExpressionAttributeNames: { '#attention': 'attention' },
                ExpressionAttributeValues: { ':state': { S: filter.state } },
                ExclusiveStartKey: start,
              }),
            )
          : await db.send(new ScanCommand({ TableName, ExclusiveStartKey: start }));
        count(filter.state ? 'Query' : 'Scan');
        items.push(...(page.Items ?? []).map((item) => unmarshall(item)));
        start = page.LastEvaluatedKey;
      } while (start !== undefined);
      return items
        .filter((item) => !String(item.id).startsWith(LOCK_PREFIX))
        .map(recordFromItem)
        .filter((record) => filter.productId === undefined || record.productId === filter.productId)
        .sort((a, b) => b.updatedAt - a.updatedAt);
    },
  };
}

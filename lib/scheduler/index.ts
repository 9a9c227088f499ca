/**
 * When a request must be processed again later (a handler's `Reschedule`, or a handler error being retried),
 * the type function leaves a one-time trigger: an EventBridge Scheduler schedule that invokes the same type
 * function once, at the due time, and then deletes itself. Scheduler, not SQS delays: delays up to 30 days
 * (SQS stops at 15 minutes), one mechanism for every wait, and no chain through SQS for Lambda's
 * recursive-loop detection to stop after 16 hops. Its precision is a minute: a trigger is never early (the due
 * time is rounded up), and at most about two minutes late. The sweep is the backstop for a lost trigger.
 *
 * Locally the same SDK client talks to the local stack's small Scheduler adapter (`endpoint`), which fires
 * to the second.
 */
import { awsClientConfig } from '../config/aws-clients';
import type { ObjectClassName } from '../object-classes';

/** What a trigger hands the type function. */
export type ScheduledRun = {
  trigger: 'schedule';
  objectClass: ObjectClassName;
  requestId: string;
  /** The claim the run takes: a retry of the same trigger may take it again. */
  token: string;
  dueAt: number;
  correlationId: string;
};

export type Trigger = {
  /** Unique per request and due time. */
  name: string;
  dueAt: number;
  /** The type function to invoke. */
  functionArn: string;
  run: ScheduledRun;
};

export type Scheduler = { at(trigger: Trigger): Promise<void> };

export type EventBridgeSchedulerOptions = {
  group: string;
  /** The role EventBridge Scheduler invokes the function with. */
  roleArn: string;
  /** Where a trigger that could not be delivered goes (the dispatch dead-letter queue). */
  deadLetterArn?: string | undefined;
  /** The local stack's adapter; unset in AWS. */
  endpoint?: string | undefined;
  region?: string | undefined;
  /** The due time is rounded up to this: 60 s in AWS (Scheduler's precision), 1 s locally. */
  precisionSeconds?: number;
};

/** `at(2026-12-01T10:15:00)` for a due time, rounded up to the precision, in UTC. */
export function atExpression(dueAt: number, precisionSeconds: number): string {
  const step = precisionSeconds * 1000;
  const rounded = Math.ceil(dueAt / step) * step;
  return `at(${new Date(rounded).toISOString().slice(0, 19)})`;
}

/** A schedule name from the trigger's parts (EventBridge allows `[0-9a-zA-Z-_.]`, 64 characters). */
export function scheduleName(requestId: string, dueAt: number): string {
  return `${requestId.replace(/[^0-9A-Za-z_.-]/g, '_')}-${dueAt}`.slice(0, 64);
}

type SchedulerSdk = typeof import('@aws-sdk/client-scheduler');
type Loaded = { client: InstanceType<SchedulerSdk['SchedulerClient']>; sdk: SchedulerSdk };

export function createEventBridgeScheduler(options: EventBridgeSchedulerOptions): Scheduler {
  const precision = options.precisionSeconds ?? (options.endpoint ? 1 : 60);
  let loaded: Promise<Loaded> | undefined;
  // Loaded on the first reschedule only: no type function pays for the SDK client at cold start.
  const load = () =>
    (loaded ??= import('@aws-sdk/client-scheduler').then((sdk) => ({
      sdk,
      client: new sdk.SchedulerClient(awsClientConfig(options)),
    })));

  return {
    async at(trigger) {
      const { client, sdk } = await load();
      try {
        await client.send(
          new sdk.CreateScheduleCommand({
            Name: trigger.name,
            GroupName: options.group,
            ScheduleExpression: atExpression(trigger.dueAt, precision),
            ScheduleExpressionTimezone: 'UTC',
            FlexibleTimeWindow: { Mode: 'OFF' },
            ActionAfterCompletion: 'DELETE',
            Target: {
              Arn: trigger.functionArn,
              RoleArn: options.roleArn,
              Input: JSON.stringify(trigger.run),
              RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3_600 },
              ...(options.deadLetterArn ? { DeadLetterConfig: { Arn: options.deadLetterArn } } : {}),
            },
          }),
        );
      } catch (error) {
        // The same trigger already exists (a retried invocation): nothing to do.
        if (error instanceof Error && error.name === 'ConflictException') return;
        throw error;
      }
    },
  };
}

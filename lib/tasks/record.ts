/**
 * The task record: one DynamoDB item per request, the function set's memory of what it did with it. The
 * dispatcher claims a request in it before invoking a type function (one invocation per request version), the
 * type function completes it (one write), the sweep and the router consult it, an operator reads and releases
 * it. This module holds the record's shape and its rules, pure; store.ts holds the DynamoDB side.
 *
 * States:
 * - `processing`: claimed by a dispatch (a `token`), until `leaseUntil`; after it, a dead run is dispatched again.
 * - `done`: decided (approved, inquired, failed) or skipped, at `decidedAt` on `version` (Connect's `updated`).
 *   Dispatched again only when a listing taken after the decision shows another version (the customer
 *   answered an inquiry, someone edited it), or, for a skip, once `retryAt` has passed.
 * - `rescheduled`: due at `dueAt` (a handler's `Reschedule`, or a handler error being retried); dispatched
 *   again by its trigger, or by a webhook or sweep, once due; never before.
 * - `parked`: stopped for a person (a permanent refusal, the same error again and again, an unparseable
 *   request): nothing is sent to Connect until its version changes or an operator releases it.
 */

export type TaskState = 'processing' | 'done' | 'rescheduled' | 'parked';

export type TaskOutcome = 'approved' | 'inquired' | 'failed' | 'skipped' | 'rescheduled' | 'parked' | 'error';

/** One attempt, as the operator sees it. */
export type Attempt = {
  /** The attempt's number (the dispatch count when it ran). */
  n: number;
  /** When it ended, ms since the epoch. */
  at: number;
  outcome: TaskOutcome;
  durationMs: number;
  /** The Lambda request id of the invocation. */
  lambdaRequestId?: string | undefined;
};

/** A failure worth showing: Connect's error code when there is one, and a message with no secret. */
export type TaskError = { code?: string | undefined; message: string };

export type TaskRecord = {
  id: string;
  objectClass: string;
  type: string;
  productId: string;
  /** The type function that runs it (short name). */
  fn: string;
  state: TaskState;
  /** Connect's `updated` of the version claimed or decided on. */
  version: string;
  token?: string | undefined;
  claimedAt?: number | undefined;
  leaseUntil?: number | undefined;
  /** Dispatches so far. */
  attempts: number;
  /** Handler errors in a row for `failuresVersion`. */
  failures: number;
  failuresVersion?: string | undefined;
  reschedules: number;
  firstRescheduledAt?: number | undefined;
  /** Connect or AWS outages in a row (they set the retry's backoff; never counted against the request). */
  outages: number;
  dueAt?: number | undefined;
  retryAt?: number | undefined;
  decidedAt?: number | undefined;
  outcome?: TaskOutcome | undefined;
  error?: TaskError | undefined;
  /** Why it is parked, in plain words. */
  reason?: string | undefined;
  /** The last attempts, oldest first (at most {@link HISTORY_LENGTH}). */
  history: Attempt[];
  updatedAt: number;
  /** DynamoDB TTL, seconds since the epoch; none while parked. */
  expiresAt?: number | undefined;
};

/** How many attempts the record keeps. */
export const HISTORY_LENGTH = 10;

/** What a claim hands the type function: its token and lease, and what it needs to keep the counts. */
export type Claim = {
  token: string;
  leaseUntil: number;
  /** This attempt's number. */
  attempt: number;
  /** Handler errors in a row so far for the claimed version. */
  failures: number;
  reschedules: number;
  firstRescheduledAt?: number | undefined;
  /** Outages in a row so far. */
  outages: number;
};

/** A listed request that the dispatcher may claim. */
export type Listed = {
  id: string;
  /** Connect's `updated` of the listed copy. */
  version: string;
  /** When the listing was asked for (ms): a copy is at least this old. */
  listedAt: number;
};

/**
 * Whether a listed request may be dispatched now. The same rule as the store's conditional claim (which is
 * what really decides, atomically); the dispatcher uses this one to skip, with no write, what a batch read
 * already shows as taken.
 */
export function claimable(record: TaskRecord | undefined, listed: Listed, now: number): boolean {
  if (record === undefined) return true;
  switch (record.state) {
    case 'processing':
      return (record.leaseUntil ?? 0) < now;
    case 'done':
      // A listing taken before the decision may show the request as it was before our own writes.
      return (
        (record.decidedAt ?? 0) < listed.listedAt &&
        (record.version !== listed.version || (record.retryAt !== undefined && record.retryAt <= now))
      );
    case 'rescheduled':
      // Due, and listed after the attempt that rescheduled it (which may have written to Connect first).
      return (record.dueAt ?? 0) <= now && (record.decidedAt ?? 0) < listed.listedAt;
    case 'parked':
      return (record.decidedAt ?? 0) < listed.listedAt && record.version !== listed.version;
  }
}

/** The claim's failure count for a version: errors of another version do not count. */
export function failuresFor(
  record: Pick<TaskRecord, 'failures' | 'failuresVersion'>,
  version: string,
): number {
  return record.failuresVersion === version ? record.failures : 0;
}

/** The attempts of a record's history ring (attributes `h0`…`h9`), oldest first. */
export function orderedHistory(slots: Iterable<Attempt | undefined>): Attempt[] {
  return [...slots]
    .filter((attempt): attempt is Attempt => attempt !== undefined)
    .sort((a, b) => a.n - b.n)
    .slice(-HISTORY_LENGTH);
}

/** The backoff of a handler error's retry: `base` (30 s), twice that, four times… capped at an hour. */
export function failureBackoffSeconds(failures: number, base = 30): number {
  return Math.min(3_600, base * 2 ** Math.max(0, failures - 1));
}

/** The failure policy of a stage (lib/config `tasks`): how many failures park, the first retry's wait. */
export type FailurePolicy = { maxFailures: number; failureRetrySeconds: number };

/** What a run that failed on its version leads to: its failure count, and parked or due again. */
export type FailureDecision =
  | { failures: number; park: true }
  | { failures: number; park: false; retrySeconds: number; dueAt: number };

/**
 * The one failure policy of a run that ended in error (the handler's own, or a run that died without a
 * decision): the claim's failures plus this one; parked at `maxFailures`, else due after the backoff.
 */
export function failureDecision(claimFailures: number, policy: FailurePolicy, now: number): FailureDecision {
  const failures = claimFailures + 1;
  if (failures >= policy.maxFailures) return { failures, park: true };
  const retrySeconds = failureBackoffSeconds(failures, policy.failureRetrySeconds);
  return { failures, park: false, retrySeconds, dueAt: now + retrySeconds * 1000 };
}

/**
 * The wait before a run that met an outage goes again: `base` (60 s by default), then twice as long each time,
 * capped at 15 minutes (the client has already retried for up to 30 s inside the run). Connect down for an
 * hour costs each pending request about 8 runs, not one a minute.
 */
export function outageBackoffSeconds(outages: number, base = 60): number {
  return Math.min(900, base * 2 ** Math.max(0, outages - 1));
}

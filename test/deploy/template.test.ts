/**
 * The CloudFormation template `npm run package` builds, held to what cfn-lint and an AWS review would ask of
 * it, without needing cfn-lint: every function has a log group with a retention, the HTTP API logs its
 * calls and is throttled, every alarm notifies the topic, the dead-letter queue is encrypted and keeps its
 * messages, no policy of ours grants `Resource: "*"` where AWS does not require it, every reference
 * resolves, and the alarms and the dashboard read the metrics of the contract (docs/operations.md).
 *
 * Packaged into a temporary folder, esbuild working in its own folder, so that it runs beside any other
 * `npm run package`.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

type Resource = {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
  Condition?: string;
};
type Template = {
  Parameters?: Record<string, { Default?: unknown }>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, Resource>;
  Outputs?: Record<string, unknown>;
};
type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

const root = path.resolve(import.meta.dirname, '..', '..');
const workFolder = path.join('.tmp', `esbuild-template-test-${randomUUID()}`);
let outDir: string;
let template: Template;

beforeAll(async () => {
  outDir = await mkdtemp(path.join(tmpdir(), 'template-test-'));
  // Without the local stack's variables: what `npm run package` builds for the default stage.
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '0', ESBUILD_WORK_FOLDER: workFolder };
  for (const name of ['CONNECT_API_URL', 'CONNECT_API_KEY', 'CONNECT_WEBHOOK_SECRETS', 'CONNECT_PRODUCTS']) {
    delete env[name];
  }
  await promisify(execFile)(
    path.join(root, 'node_modules', '.bin', 'sls'),
    ['package', '--package', outDir],
    { cwd: root, env, maxBuffer: 16 * 1024 * 1024 },
  );
  template = JSON.parse(
    await readFile(path.join(outDir, 'cloudformation-template-update-stack.json'), 'utf8'),
  ) as Template;
}, 180_000);

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
  await rm(path.join(root, workFolder), { recursive: true, force: true });
});

const ofType = (type: string) =>
  Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
const props = (resource: Resource | undefined) => (resource?.Properties ?? {}) as Record<string, unknown>;
const asList = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
const refTo = (value: unknown) => (value as { Ref?: string } | undefined)?.Ref;

/** Every statement of every policy of ours: inline role policies and managed policies. */
function statements(): Array<{ where: string; statement: Statement }> {
  const found: Array<{ where: string; statement: Statement }> = [];
  const add = (where: string, document: unknown) => {
    for (const statement of asList((document as { Statement?: Statement | Statement[] }).Statement)) {
      found.push({ where, statement });
    }
  };
  for (const [id, role] of ofType('AWS::IAM::Role')) {
    for (const policy of (props(role).Policies ?? []) as Array<{ PolicyDocument: unknown }>) {
      add(id, policy.PolicyDocument);
    }
  }
  for (const [id, policy] of [...ofType('AWS::IAM::ManagedPolicy'), ...ofType('AWS::IAM::Policy')]) {
    add(id, props(policy).PolicyDocument);
  }
  return found;
}

/** Every `Ref`, `Fn::GetAtt` and `Fn::Sub` `${…}` target in a value, with the path it was found at. */
function references(value: unknown, at: string, out: Array<{ at: string; target: string }> = []) {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) references(item, `${at}/${index}`, out);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'Ref' && typeof inner === 'string') out.push({ at, target: inner });
      else if (key === 'Fn::GetAtt') {
        const [target] = typeof inner === 'string' ? inner.split('.') : (inner as string[]);
        out.push({ at, target: target as string });
      } else if (key === 'Fn::Sub') {
        const text = typeof inner === 'string' ? inner : (inner as [string])[0];
        for (const match of text.matchAll(/\$\{([^!}][^}]*)\}/g)) {
          out.push({ at, target: (match[1] as string).split('.')[0] as string });
        }
        references(inner, `${at}/${key}`, out);
      } else references(inner, `${at}/${key}`, out);
    }
  }
  return out;
}

describe('logs', () => {
  it('gives every function its own log group with a retention (30 days by default)', () => {
    const functions = ofType('AWS::Lambda::Function');
    expect(functions.length).toBeGreaterThanOrEqual(10);
    const groups = new Map(
      ofType('AWS::Logs::LogGroup').map(([, group]) => [
        props(group).LogGroupName,
        props(group).RetentionInDays,
      ]),
    );
    for (const [id, fn] of functions) {
      expect(groups.get(`/aws/lambda/${props(fn).FunctionName}`), id).toBe(30);
    }
  });

  it('logs every call of the HTTP API, as JSON with the request id, to a log group with a retention', () => {
    const stage = template.Resources.HttpApiStage;
    const settings = props(stage).AccessLogSettings as {
      DestinationArn: { 'Fn::GetAtt': string[] };
      Format: string;
    };
    const [groupId] = settings.DestinationArn['Fn::GetAtt'];
    expect(props(template.Resources[groupId as string]).RetentionInDays).toBe(30);
    const format = JSON.parse(settings.Format) as Record<string, string>;
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
  });
});

describe('the HTTP API', () => {
  it('is throttled on every route, rate and burst from the stage parameters', () => {
    expect(props(template.Resources.HttpApiStage).DefaultRouteSettings).toEqual({
      DetailedMetricsEnabled: false,
      ThrottlingRateLimit: 50,
      ThrottlingBurstLimit: 100,
    });
  });
});

describe('the dead-letter queue', () => {
  it('is encrypted and keeps its messages 14 days, the maximum', () => {
    const queue = props(template.Resources.DispatchDeadLetterQueue);
    expect(queue.SqsManagedSseEnabled === true || queue.KmsMasterKeyId !== undefined).toBe(true);
    expect(queue.MessageRetentionPeriod).toBe(1_209_600);
  });
});

describe('alarms', () => {
  const alarms = () => ofType('AWS::CloudWatch::Alarm');

  it('every alarm notifies the topic on ALARM and on OK, and says what missing data means', () => {
    expect(alarms().length).toBeGreaterThan(4);
    for (const [id, alarm] of alarms()) {
      const p = props(alarm);
      expect(asList(p.AlarmActions).map(refTo), id).toEqual(['AlarmTopic']);
      expect(asList(p.OKActions).map(refTo), id).toEqual(['AlarmTopic']);
      expect(['notBreaching', 'ignore', 'breaching', 'missing'], id).toContain(p.TreatMissingData);
      expect(p.ComparisonOperator, id).toBe('GreaterThanOrEqualToThreshold');
    }
    expect(template.Resources.AlarmTopic?.Type).toBe('AWS::SNS::Topic');
  });

  it('subscribes the alertEmail address only when there is one', () => {
    expect(template.Resources.AlertEmailSubscription).toMatchObject({
      Condition: 'HasAlertEmail',
      Properties: { Protocol: 'email', Endpoint: { Ref: 'AlertEmail' }, TopicArn: { Ref: 'AlarmTopic' } },
    });
    expect(template.Conditions?.HasAlertEmail).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlertEmail' }, ''] }],
    });
    expect(template.Parameters?.AlertEmail?.Default).toBe('');
  });

  it('fires on any message in the dead-letter queue, a parked request, a failed sweep and a 401 burst', () => {
    const alarm = (id: string) => props(template.Resources[id]);
    expect(alarm('DeadLetterAlarm')).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['DispatchDeadLetterQueue', 'QueueName'] } }],
      Statistic: 'Maximum',
      Threshold: 1,
    });
    expect(alarm('ParkedAlarm')).toMatchObject({
      Namespace: 'ConnectFulfillment',
      MetricName: 'ParkedRequests',
      Dimensions: [{ Name: 'service', Value: 'connect-fulfillment' }],
      Statistic: 'Maximum',
      Threshold: 1,
      TreatMissingData: 'ignore',
    });
    expect(alarm('SweepFailedAlarm')).toMatchObject({
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'SweepLambdaFunction' } }],
      Statistic: 'Sum',
      Threshold: 1,
    });
    expect(alarm('WebhookUnauthorizedAlarm')).toMatchObject({
      Namespace: 'ConnectFulfillment',
      MetricName: 'WebhookRejected',
      Dimensions: [
        { Name: 'service', Value: 'connect-fulfillment' },
        { Name: 'route', Value: 'webhook' },
        { Name: 'reason', Value: 'unauthorized' },
      ],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 20,
      TreatMissingData: 'notBreaching',
    });
  });

  it('watches the errors and throttles of every function (the sweep errors through its own alarm)', () => {
    const watched = (metric: string) =>
      alarms()
        .filter(([, alarm]) => props(alarm).Namespace === 'AWS/Lambda' && props(alarm).MetricName === metric)
        .map(([, alarm]) => refTo((props(alarm).Dimensions as Array<{ Value: unknown }>)[0]?.Value));
    const functions = ofType('AWS::Lambda::Function').map(([id]) => id);
    expect(watched('Throttles').sort()).toEqual([...functions].sort());
    // Every function once; the sweep's Errors alarm is SweepFailedAlarm.
    expect(watched('Errors').sort()).toEqual([...functions].sort());
  });
});

describe('capacity and tracing', () => {
  it('reserves no concurrency by default, so a first deploy fits a new account', () => {
    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      const reserved: unknown = props(fn).ReservedConcurrentExecutions;
      // The type functions write the setting as AWS::NoValue; the others have none.
      if (reserved !== undefined) expect(reserved, id).toEqual({ Ref: 'AWS::NoValue' });
    }
  });

  it('traces in PassThrough mode by default, every role able to write traces before its function exists', () => {
    const policy = props(template.Resources.TracingPolicy);
    const roles = asList(policy.Roles).map(refTo);
    for (const [id, fn] of ofType('AWS::Lambda::Function')) {
      expect(props(fn).TracingConfig, id).toEqual({ Mode: 'PassThrough' });
      const role = (props(fn).Role as { 'Fn::GetAtt'?: string[] })['Fn::GetAtt']?.[0];
      expect(roles, id).toContain(role);
      expect(asList(template.Resources[id]?.DependsOn), id).toContain('TracingPolicy');
    }
  });
});

describe('policies', () => {
  it('grant no action "*", and Resource "*" only to the X-Ray writes, which take no resource', () => {
    const allowedOnAny = new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']);
    const found = statements();
    expect(found.length).toBeGreaterThan(5);
    for (const { where, statement } of found) {
      const actions = asList(statement.Action);
      expect(actions, where).not.toContain('*');
      if (asList(statement.Resource as unknown).includes('*')) {
        expect(
          actions.filter((action) => !allowedOnAny.has(action)),
          `${where}: Resource "*"`,
        ).toEqual([]);
      }
    }
  });
});

describe('references', () => {
  it('every Ref, GetAtt, Sub variable and Condition points at something the template has', () => {
    const known = new Set([...Object.keys(template.Resources), ...Object.keys(template.Parameters ?? {})]);
    const dangling = references({ Resources: template.Resources, Outputs: template.Outputs }, '')
      .filter(({ target }) => !target.startsWith('AWS::') && !known.has(target))
      .map(({ at, target }) => `${at}: ${target}`);
    expect(dangling).toEqual([]);
    const conditions = Object.values(template.Resources).flatMap((resource) => asList(resource.Condition));
    expect(conditions.filter((name) => !(name in (template.Conditions ?? {})))).toEqual([]);
    for (const [id, resource] of Object.entries(template.Resources)) {
      for (const dependency of asList(resource.DependsOn))
        expect(known, `${id} DependsOn`).toContain(dependency);
    }
  });
});

describe('the dashboard', () => {
  const body = () => {
    const sub = props(template.Resources.Dashboard).DashboardBody as { 'Fn::Sub': string };
    return sub['Fn::Sub'];
  };

  it('is JSON once CloudFormation substitutes its variables', () => {
    const parsed = JSON.parse(body().replace(/\$\{[^}]+\}/g, 'x')) as { widgets: unknown[] };
    expect(parsed.widgets.length).toBeGreaterThanOrEqual(8);
  });

  it('shows the metrics of the contract, the custom ones through SEARCH', () => {
    const text = body();
    for (const metric of [
      'RequestDecided',
      'DispatchLag',
      'ConnectCalls',
      'ConnectRetries',
      'ConnectErrors',
      'ValidationDuration',
      'WebhookRejected',
    ]) {
      expect(text, metric).toMatch(
        new RegExp(`SEARCH\\('\\{ConnectFulfillment,service[^}]*\\} MetricName=\\\\"${metric}\\\\"`),
      );
    }
    for (const outcome of ['approved', 'inquired', 'failed', 'skipped', 'rescheduled', 'parked']) {
      expect(text).toContain(`outcome=\\"${outcome}\\"`);
    }
    expect(text).toContain('"ParkedRequests"');
    expect(text).toContain('"ApproximateNumberOfMessagesVisible"');
    expect(text).toContain('"Throttles"');
  });
});

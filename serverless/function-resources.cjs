/**
 * The resources that follow the list of functions, so that a function added to serverless.yml (a type of the
 * automation table, a new edge) is covered without an edit here. Included by serverless.yml's `resources:`
 * list; the framework calls this with its resolver (osls `${file(…)}` of a JS file).
 *
 * - An Errors and a Throttles alarm per function (the sweep's errors have their own alarm, SweepFailedAlarm).
 * - TracingPolicy: X-Ray's two write actions on the functions' roles, and a DependsOn from each function on
 *   it, so that switching the `tracing` stage parameter to Active never meets a role without them (Lambda
 *   checks the role when tracing is turned on). Those actions take no resource ARN: `Resource: "*"`.
 * - The stage's CloudWatch dashboard, and its URL as an output.
 *
 * Thresholds and periods: serverless/alarms.yml. The metrics: docs/operations.md (the metrics contract).
 */
const naming = require('serverless/lib/plugins/aws/lib/naming.js');

/** The custom metrics' namespace and default dimension (docs/operations.md). */
const NAMESPACE = 'ConnectFulfillment';
const OUTCOMES = ['approved', 'inquired', 'failed', 'skipped', 'rescheduled', 'parked'];

const lambdaId = (name) => naming.getLambdaLogicalId(name);
/** A variable of a CloudFormation `Fn::Sub` string: `${name}`. */
const subVar = (name) => `\${${name}}`;
const normalized = (name) => naming.getNormalizedFunctionName(name);

/** The role's logical id when a function names one of the template's roles, else undefined. */
function roleLogicalId(role) {
  if (typeof role === 'string') return role.startsWith('arn:') ? undefined : role;
  const getAtt = role?.['Fn::GetAtt'];
  return Array.isArray(getAtt) ? getAtt[0] : undefined;
}

function functionAlarm({ name, functionName, metric, settings, description, topic }) {
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmName: name,
      AlarmDescription: description,
      Namespace: 'AWS/Lambda',
      MetricName: metric,
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: lambdaId(functionName) } }],
      Statistic: 'Sum',
      Period: settings.period,
      EvaluationPeriods: settings.evaluationPeriods,
      Threshold: settings.threshold,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      // Lambda publishes these only for periods with invocations: no data is no failure.
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: topic }],
      OKActions: [{ Ref: topic }],
    },
  };
}

/** `SEARCH('{namespace,dims} MetricName="m" k="v"…', 'stat', 300)` */
function search(schema, metric, filters, stat) {
  const terms = Object.entries(filters).map(([key, value]) => `${key}="${value}"`);
  return `SEARCH('{${[NAMESPACE, ...schema].join(',')}} MetricName="${metric}" ${terms.join(' ')}', '${stat}', 300)`;
}

function graph(title, metrics, extra = {}) {
  return {
    type: 'metric',
    properties: {
      title,
      view: 'timeSeries',
      stacked: false,
      region: subVar('AWS::Region'),
      period: 300,
      metrics,
      ...extra,
    },
  };
}

/** Two widgets a row, 12 columns by 6 rows each. */
function layout(widgets) {
  return widgets.map((widget, index) => ({
    ...widget,
    x: widget.width === 24 ? 0 : (index % 2) * 12,
    y: Math.floor(index / 2) * 6,
    width: widget.width ?? 12,
    height: widget.height ?? 6,
  }));
}

function dashboardBody({ service, functions, alarmIds }) {
  const svc = { service };
  let next = 0;
  const expression = (expr, label) => [{ expression: expr, label, id: `e${++next}` }];
  const perFunction = (metric) =>
    functions.map((name) => ['AWS/Lambda', metric, 'FunctionName', subVar(lambdaId(name)), { label: name }]);
  const widgets = [
    graph(
      'Outcomes (RequestDecided, per outcome)',
      OUTCOMES.map((outcome) =>
        expression(
          `SUM(${search(['service', 'function', 'requestType', 'outcome'], 'RequestDecided', { ...svc, outcome }, 'Sum')})`,
          outcome,
        ),
      ),
      { stat: 'Sum' },
    ),
    graph('Dispatch lag, listed to started (ms)', [
      expression(search(['service', 'function'], 'DispatchLag', svc, 'p99'), 'p99'),
      expression(search(['service', 'function'], 'DispatchLag', svc, 'Average'), 'average'),
    ]),
    graph('Connect calls, retries and errors (per category)', [
      expression(`SUM(${search(['service', 'function'], 'ConnectCalls', svc, 'Sum')})`, 'calls'),
      expression(`SUM(${search(['service', 'function'], 'ConnectRetries', svc, 'Sum')})`, 'retries'),
      expression(search(['service', 'function', 'category'], 'ConnectErrors', svc, 'Sum'), 'errors'),
    ]),
    graph('Dead-letter queue depth and parked requests', [
      [
        'AWS/SQS',
        'ApproximateNumberOfMessagesVisible',
        'QueueName',
        subVar('DispatchDeadLetterQueue.QueueName'),
        { label: 'dead-letter queue', stat: 'Maximum' },
      ],
      [NAMESPACE, 'ParkedRequests', 'service', service, { label: 'parked', stat: 'Maximum' }],
    ]),
    graph('Validation (per request type)', [
      expression(search(['service', 'requestType'], 'ValidationDuration', svc, 'p99'), 'p99 ms'),
      expression(search(['service', 'requestType'], 'ValidationCalls', svc, 'Sum'), 'calls'),
    ]),
    graph('Webhook rejections (per route and reason)', [
      expression(search(['service', 'route', 'reason'], 'WebhookRejected', svc, 'Sum'), ''),
    ]),
    graph('Lambda errors', perFunction('Errors'), { stat: 'Sum' }),
    graph('Lambda throttles', perFunction('Throttles'), { stat: 'Sum' }),
    graph('Handler duration p99 (per function and request type, ms)', [
      expression(search(['service', 'function', 'requestType'], 'HandlerDuration', svc, 'p99'), ''),
    ]),
    {
      type: 'alarm',
      properties: {
        title: 'Alarms',
        alarms: alarmIds.map((id) => subVar(`${id}.Arn`)),
        sortBy: 'stateUpdatedTimestamp',
      },
    },
  ];
  return { widgets: layout(widgets) };
}

module.exports = async ({ resolveConfigurationProperty, resolveVariable }) => {
  const service = await resolveConfigurationProperty(['service']);
  const stage = await resolveVariable('sls:stage');
  const alarms = await resolveConfigurationProperty(['custom', 'alarms']);
  const functions = (await resolveConfigurationProperty(['functions'])) ?? {};
  const names = Object.keys(functions);
  const topic = 'AlarmTopic';

  const Resources = {};
  const alarmIds = ['DeadLetterAlarm', 'ParkedAlarm', 'SweepFailedAlarm', 'WebhookUnauthorizedAlarm'];
  for (const name of names) {
    const checks = [
      ['Throttles', alarms.functionThrottles, 'throttles', 'is throttled'],
      // The sweep's failures are SweepFailedAlarm's.
      ...(name === 'sweep' ? [] : [['Errors', alarms.functionErrors, 'errors', 'fails']]),
    ];
    for (const [metric, settings, suffix, what] of checks) {
      const id = `${normalized(name)}${metric}Alarm`;
      Resources[id] = functionAlarm({
        name: `${service}-${stage}-${name}-${suffix}`,
        functionName: name,
        metric,
        settings,
        description: `The ${name} function ${what} (docs/operations.md#function-errors-and-throttles).`,
        topic,
      });
      alarmIds.push(id);
    }
  }

  const roles = [...new Set(names.map((name) => roleLogicalId(functions[name].role)).filter(Boolean))];
  const extensions = {};
  if (roles.length > 0) {
    Resources.TracingPolicy = {
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: {
        Description: 'X-Ray trace writes, for the tracing stage parameter (Active)',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
              // X-Ray's write actions support no resource-level permissions.
              Resource: '*',
            },
          ],
        },
        Roles: roles.map((role) => ({ Ref: role })),
      },
    };
    for (const name of names) {
      if (roleLogicalId(functions[name].role)) extensions[lambdaId(name)] = { DependsOn: ['TracingPolicy'] };
    }
  }

  Resources.Dashboard = {
    Type: 'AWS::CloudWatch::Dashboard',
    Properties: {
      DashboardName: `${service}-${stage}`,
      DashboardBody: { 'Fn::Sub': JSON.stringify(dashboardBody({ service, functions: names, alarmIds })) },
    },
  };

  return {
    Resources,
    Outputs: {
      DashboardUrl: {
        Description: 'The stage CloudWatch dashboard',
        Value: {
          'Fn::Sub': `https://${subVar('AWS::Region')}.console.aws.amazon.com/cloudwatch/home?region=${subVar('AWS::Region')}#dashboards:name=${subVar('Dashboard')}`,
        },
      },
    },
    extensions,
  };
};

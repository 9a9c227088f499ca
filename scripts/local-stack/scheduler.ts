/**
 * The local stack's stand-in for EventBridge Scheduler: the few operations of its REST API the type functions
 * call through the real SDK client (`CreateSchedule`, and `DeleteSchedule` / `GetSchedule` / `ListSchedules`
 * for inspection), firing each one-time schedule at its `at(…)` time (to the second) by invoking its target
 * through serverless-offline's Lambda Invoke API, asynchronously, as Scheduler does; then it deletes it
 * (`ActionAfterCompletion: DELETE`). Schedules live in memory: a restart loses them, and the sweep takes
 * the due requests, as it would take those of a lost trigger in AWS.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { LOCAL_AWS_CREDENTIALS } from './dynamo';

export type LocalSchedule = {
  name: string;
  group: string;
  dueAt: number;
  functionName: string;
  input: string;
};

export type LocalScheduler = {
  endpoint: string;
  /** The schedules not fired yet. */
  pending(): LocalSchedule[];
  /** Every schedule fired so far, with when. */
  fired(): Array<LocalSchedule & { firedAt: number }>;
  stop(): Promise<void>;
};

/** `at(2026-12-01T10:15:00)` (UTC, as the type functions write it) → ms since the epoch. */
export function parseAt(expression: string): number | undefined {
  const match = /^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$/.exec(expression.trim());
  return match ? Date.parse(`${match[1]}Z`) : undefined;
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(text ? JSON.parse(text) : {});
      } catch (error) {
        reject(error);
      }
    });
    req.on('error', reject);
  });
}

function answer(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': String(Buffer.byteLength(text)),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(text);
}

export async function startLocalScheduler(options: {
  /** serverless-offline's Lambda Invoke API. */
  lambdaEndpoint: string;
  port?: number;
  log?: (line: string) => void;
}): Promise<LocalScheduler> {
  const lambda = new LambdaClient({
    endpoint: options.lambdaEndpoint,
    region: 'us-east-1',
    credentials: LOCAL_AWS_CREDENTIALS,
  });
  const schedules = new Map<string, LocalSchedule & { timer: NodeJS.Timeout }>();
  const fired: Array<LocalSchedule & { firedAt: number }> = [];
  const log = options.log ?? (() => undefined);

  const fire = async (key: string) => {
    const schedule = schedules.get(key);
    if (!schedule) return;
    // A Node timer may run a millisecond early; Scheduler never fires before the time.
    const early = schedule.dueAt - Date.now();
    if (early > 0) {
      schedule.timer = setTimeout(() => void fire(key), early);
      schedule.timer.unref();
      return;
    }
    schedules.delete(key);
    const { timer: _timer, ...plain } = schedule;
    fired.push({ ...plain, firedAt: Date.now() });
    try {
      await lambda.send(
        new InvokeCommand({
          FunctionName: schedule.functionName,
          InvocationType: 'Event',
          Payload: new TextEncoder().encode(schedule.input),
        }),
      );
      log(`schedule ${schedule.name} fired -> ${schedule.functionName}`);
    } catch (error) {
      log(`schedule ${schedule.name} could not invoke ${schedule.functionName}: ${(error as Error).name}`);
    }
  };

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const name = decodeURIComponent(url.pathname.replace(/^\/schedules\/?/, ''));
    const group = url.searchParams.get('groupName') ?? 'default';
    void (async () => {
      if (req.method === 'POST' && url.pathname.startsWith('/schedules/') && name) {
        const body = (await readJson(req)) as {
          GroupName?: string;
          ScheduleExpression?: string;
          Target?: { Arn?: string; Input?: string };
        };
        const key = `${body.GroupName ?? 'default'}/${name}`;
        const dueAt = parseAt(body.ScheduleExpression ?? '');
        const functionName = body.Target?.Arn?.split(':function:')[1]?.split(':')[0];
        if (dueAt === undefined || functionName === undefined) {
          answer(
            res,
            400,
            { message: 'ScheduleExpression must be at(…) and Target.Arn a Lambda function' },
            'ValidationException',
          );
          return;
        }
        if (schedules.has(key)) {
          answer(res, 409, { message: `Schedule ${name} already exists.` }, 'ConflictException');
          return;
        }
        const timer = setTimeout(() => void fire(key), Math.max(0, dueAt - Date.now()));
        timer.unref();
        schedules.set(key, {
          name,
          group: body.GroupName ?? 'default',
          dueAt,
          functionName,
          input: body.Target?.Input ?? '{}',
          timer,
        });
        log(`schedule ${name} at ${new Date(dueAt).toISOString()} -> ${functionName}`);
        answer(res, 200, { ScheduleArn: `arn:aws:scheduler:us-east-1:000000000000:schedule/${key}` });
        return;
      }
      if (req.method === 'DELETE' && name) {
        const schedule = schedules.get(`${group}/${name}`);
        if (!schedule) {
          answer(res, 404, { message: `Schedule ${name} does not exist.` }, 'ResourceNotFoundException');
          return;
        }
        clearTimeout(schedule.timer);
        schedules.delete(`${group}/${name}`);
        answer(res, 200, {});
        return;
      }
      if (req.method === 'GET' && url.pathname === '/schedules') {
        answer(res, 200, {
          Schedules: [...schedules.values()].map((schedule) => ({
            Name: schedule.name,
            GroupName: schedule.group,
          })),
        });
        return;
      }
      answer(
        res,
        404,
        { message: `No local Scheduler route for ${req.method} ${url.pathname}` },
        'ResourceNotFoundException',
      );
    })().catch(() => answer(res, 400, { message: 'Invalid request' }, 'ValidationException'));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    pending: () => [...schedules.values()].map(({ timer: _timer, ...plain }) => plain),
    fired: () => [...fired],
    stop: async () => {
      for (const schedule of schedules.values()) clearTimeout(schedule.timer);
      schedules.clear();
      lambda.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

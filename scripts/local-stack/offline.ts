/**
 * serverless-offline as a child process: the real API Gateway + Lambda emulation of the deployed stack.
 *
 * Started from `node_modules/.bin/sls` directly (not `npx`/`npm run`): killing an npx parent would leave the
 * real node process holding the ports (TOOLCHAIN.md).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { connect } from 'node:net';
import path from 'node:path';

export type OfflineOptions = {
  httpPort: number;
  lambdaPort: number;
  env: Record<string, string>;
  /** Every line serverless-offline and the handlers print (stdout and stderr). */
  onLine?: (line: string) => void;
  startTimeoutMs?: number;
};

export type OfflineProcess = { child: ChildProcess; stop(): Promise<void> };

const projectRoot = path.resolve(import.meta.dirname, '..', '..');

export async function startOffline(options: OfflineOptions): Promise<OfflineProcess> {
  // A port already open would make the readiness check below pass against someone else's server.
  for (const port of [options.httpPort, options.lambdaPort]) {
    if (await canConnect(port)) {
      throw new Error(`port ${port} is already in use (another npm start?); stop it or choose other ports`);
    }
  }
  const sls = path.join(projectRoot, 'node_modules', '.bin', 'sls');
  // Keeps the offline process alive when an asynchronous invocation fails (see offline-preload.cjs).
  const preload = `--require ${JSON.stringify(path.join(import.meta.dirname, 'offline-preload.cjs'))}`;
  const child = spawn(sls, ['offline', 'start'], {
    cwd: projectRoot,
    env: {
      ...process.env,
      ...options.env,
      NODE_OPTIONS: [process.env.NODE_OPTIONS, options.env.NODE_OPTIONS, preload].filter(Boolean).join(' '),
      OFFLINE_HTTP_PORT: String(options.httpPort),
      LAMBDA_INVOKE_PORT: String(options.lambdaPort),
      // No colours in captured output.
      FORCE_COLOR: '0',
      NO_COLOR: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: false,
  });
  // Ready when serverless-offline itself says both servers listen (an open port alone could be someone
  // else's server that took the port in the meantime).
  let announcedReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => {
    announcedReady = resolve;
  });
  const announcements = { http: false, lambda: false };
  const watchReadiness = (line: string) => {
    if (line.includes('Server ready:')) announcements.http = true;
    if (line.includes(`listening on http://localhost:${options.lambdaPort}`)) announcements.lambda = true;
    if (announcements.http && announcements.lambda) announcedReady();
  };
  const forward = (stream: NodeJS.ReadableStream | null) => {
    let buffered = '';
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      buffered += chunk;
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        watchReadiness(buffered.slice(0, newline));
        options.onLine?.(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf('\n');
      }
    });
  };
  forward(child.stdout);
  forward(child.stderr);

  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 90_000);
  try {
    await Promise.race([
      (async () => {
        await ready;
        await waitForPort(options.httpPort, deadline);
        await waitForPort(options.lambdaPort, deadline);
      })(),
      new Promise((_, reject) =>
        setTimeout(
          () => reject(new Error('serverless-offline did not start in time')),
          deadline - Date.now(),
        ).unref(),
      ),
      exited.then((code) => {
        throw new Error(`serverless-offline exited with code ${code} before it was ready`);
      }),
    ]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { child, stop };
}

export async function waitForPort(port: number, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    if (await canConnect(port)) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`port ${port} did not open in time`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

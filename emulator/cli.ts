/**
 * `npm run emulator`: the Connect emulator as a process. Port from `CONNECT_EMULATOR_PORT` (default
 * 4010), key from `CONNECT_API_KEY` (default `ApiKey SU-000-000-000:local-emulator-key`). One log line
 * per call; stops on SIGINT / SIGTERM.
 */
import { DEFAULT_API_KEY, DEFAULT_PORT, startEmulator } from './index';

function portFromEnv(): number {
  const text = process.env.CONNECT_EMULATOR_PORT;
  if (text === undefined || text === '') return DEFAULT_PORT;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`CONNECT_EMULATOR_PORT must be a port number, got "${text}"`);
  }
  return port;
}

async function main(): Promise<void> {
  const apiKey = process.env.CONNECT_API_KEY || DEFAULT_API_KEY;
  const emulator = await startEmulator({
    port: portFromEnv(),
    host: process.env.CONNECT_EMULATOR_HOST || '127.0.0.1',
    apiKey,
    log: (line) => console.log(`${new Date().toISOString()} ${line}`),
  });
  console.log(`Connect emulator listening: API ${emulator.url}, control ${emulator.origin}/__emulator/*`);
  if (apiKey === DEFAULT_API_KEY)
    console.log(`Using the local default key: Authorization: ${DEFAULT_API_KEY}`);
  else console.log('Using the API key from CONNECT_API_KEY');

  const shutdown = (signal: string) => {
    console.log(`${signal}: stopping the emulator`);
    emulator.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(
    `Connect emulator failed to start: ${error instanceof Error ? error.message : String(error)}`,
  );
  process.exit(1);
});

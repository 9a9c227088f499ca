/**
 * `npm run emulator`: the Connect emulator as a process. Port from `CONNECT_EMULATOR_PORT` (default
 * 4010), key from `CONNECT_API_KEY` (default `ApiKey SU-000-000-000:local-emulator-key`), webhook coalescing
 * window from `CONNECT_EMULATOR_WEBHOOK_COALESCE_MS` (default 100, 0 allowed), validator timeout from
 * `CONNECT_EMULATOR_VALIDATOR_TIMEOUT_MS` (default 10000). One log line per call; stops on SIGINT / SIGTERM.
 */
import { optionsFromEnv } from './cli-env';
import { DEFAULT_API_KEY, startEmulator } from './index';

async function main(): Promise<void> {
  const options = optionsFromEnv();
  const { apiKey } = options;
  const emulator = await startEmulator({
    ...options,
    log: (line) => console.log(`${new Date().toISOString()} ${line}`),
  });
  console.log(`Connect emulator listening: API ${emulator.url}, control ${emulator.origin}/__emulator/*`);
  console.log(
    `Webhook coalescing window ${options.webhookCoalesceMs} ms, validator timeout ${options.validatorTimeoutMs} ms`,
  );
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

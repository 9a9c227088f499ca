/**
 * What the operator commands (`npm run tasks`, `webhooks`, `doctor`, `deploy`) share: where they write,
 * how they read their arguments, and how each runs as a process.
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';

/** A command's two outputs, a line at a time (tests pass recorders). */
export type CliIo = { out: (line: string) => void; err: (line: string) => void };

/**
 * `parseArgs`, strict, with the commands' conventions: an argument it refuses prints its message and the usage
 * to standard error (exit code 2), and `--help` prints the usage (exit code 0). Returns the arguments, or the
 * exit code when there is nothing more to do.
 */
export function parseCommandLine<T extends ParseArgsConfig>(
  argv: readonly string[],
  config: T,
  usage: string,
  io: CliIo,
): ReturnType<typeof parseArgs<T>> | number {
  let parsed: ReturnType<typeof parseArgs<T>>;
  try {
    // The config's own types decide the result's; only the arguments and strictness are added here.
    parsed = parseArgs({ ...config, args: [...argv], strict: true }) as ReturnType<typeof parseArgs<T>>;
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
    return 2;
  }
  if ((parsed.values as { help?: unknown }).help === true) {
    io.out(usage);
    return 0;
  }
  return parsed;
}

/**
 * Runs a command as the process: its exit code, or 1 with one line `<name>: <error name>: <message>` when it
 * throws (an AWS SDK error for credentials or permissions, a stack that is not running): the message, never
 * the SDK's stack.
 */
export function runAsProcess(
  name: string,
  command: (argv: readonly string[], env: NodeJS.ProcessEnv, io: CliIo) => Promise<number>,
): void {
  const io: CliIo = {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  };
  command(process.argv.slice(2), process.env, io).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      const what =
        error instanceof Error
          ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}`
          : String(error);
      io.err(`${name}: ${what}`);
      process.exitCode = 1;
    },
  );
}

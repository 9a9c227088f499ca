/**
 * The real local stack for a test file, on ports free right now. Another process may take a port between
 * the moment it is found free and the moment serverless-offline binds it: the stack then fails to start
 * (it checks that serverless-offline itself is listening), and is started again on other ports.
 */
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../scripts/local-stack';
import { freePorts } from './free-ports';

const ATTEMPTS = 3;
/** What a lost port race looks like: serverless-offline could not bind, or a server already answered there. */
const PORT_RACE = /EADDRINUSE|already in use|exited with code \S+ before it was ready/;

export async function startStackOnFreePorts(
  options: Omit<LocalStackOptions, 'ports'> = {},
): Promise<LocalStack> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
    const [http, lambda, emulator, dynamo] = await freePorts(4);
    try {
      return await startLocalStack({ ...options, ports: { http, lambda, emulator, dynamo } });
    } catch (error) {
      // Only a port taken meanwhile is worth another try; any other failure is reported at once.
      if (!PORT_RACE.test(error instanceof Error ? error.message : '')) throw error;
      lastError = error;
    }
  }
  throw lastError;
}

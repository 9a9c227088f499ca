/**
 * The real local stack for a test file, on ports free right now. Another process may take a port between
 * the moment it is found free and the moment serverless-offline binds it: the stack then fails to start
 * (it checks that serverless-offline itself is listening), and is started again on other ports.
 */
import { type LocalStack, type LocalStackOptions, startLocalStack } from '../../scripts/local-stack';
import { freePorts } from './free-ports';

const ATTEMPTS = 3;

export async function startStackOnFreePorts(
  options: Omit<LocalStackOptions, 'ports'> = {},
): Promise<LocalStack> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
    const [http, lambda, emulator, dynamo] = await freePorts(4);
    try {
      return await startLocalStack({ ...options, ports: { http, lambda, emulator, dynamo } });
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError;
}

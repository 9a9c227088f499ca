/**
 * The environment of `npm run emulator`, read into `startEmulator` options. Kept apart from `cli.ts` (which
 * starts a server when imported) so that it can be tested.
 */
import stack from '../config/stack.json';
import { DEFAULT_VALIDATOR_TIMEOUT_MS } from './validation';

/** The local stage's key and port (config/stack.json, shared with serverless.yml and the local stack). */
export const DEFAULT_API_KEY = stack.local.connectApiKey;
export const DEFAULT_PORT = stack.local.ports.emulator;
export const DEFAULT_WEBHOOK_COALESCE_MS = 100;

export type CliOptions = {
  port: number;
  host: string;
  apiKey: string;
  webhookCoalesceMs: number;
  validatorTimeoutMs: number;
};

/** A non-negative integer from the environment, `fallback` when unset or empty; anything else throws. */
function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, max: number): number {
  const text = env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || value > max) {
    throw new Error(`${name} must be an integer from 0 to ${max}, got "${text}"`);
  }
  return value;
}

export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): CliOptions {
  return {
    port: integer(env, 'CONNECT_EMULATOR_PORT', DEFAULT_PORT, 65_535),
    host: env.CONNECT_EMULATOR_HOST || '127.0.0.1',
    apiKey: env.CONNECT_API_KEY || DEFAULT_API_KEY,
    // 0 is allowed: deliver on the next tick (events of the same tick still coalesce).
    webhookCoalesceMs: integer(
      env,
      'CONNECT_EMULATOR_WEBHOOK_COALESCE_MS',
      DEFAULT_WEBHOOK_COALESCE_MS,
      3_600_000,
    ),
    validatorTimeoutMs: integer(
      env,
      'CONNECT_EMULATOR_VALIDATOR_TIMEOUT_MS',
      DEFAULT_VALIDATOR_TIMEOUT_MS,
      600_000,
    ),
  };
}

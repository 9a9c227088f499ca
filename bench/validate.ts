/**
 * Section `validate`: the validation route's latency, warm, p50 / p99.
 *
 * - in process: the route's core (`validateRequest`: the real HS256 verifier, the shipped validators of the
 *   automation table), and the Lambda handler as deployed: the validate bundle (esbuild with the options of
 *   serverless.yml: middy, the Powertools logger, its own configuration) required here and called with a fake
 *   Lambda context (the benchmarks load no middy themselves: it is ESM-only, they run as CommonJS);
 * - over the local stack: `POST /connect/validate` through serverless-offline (HTTP, API Gateway emulation,
 *   the bundle), and Connect's own round trip, `POST /requests/{id}/validate` on the emulator, which calls
 *   the validator webhook and stores its answer;
 * - cold init of the validate bundle (the `bundles` measurement for that bundle alone).
 *
 * Goals: p99 ≤ 5 ms in process for the shipped validators, ≤ 300 ms over the local stack.
 */
import type { Context } from 'aws-lambda';
import { automation } from '../functions/automation';
import {
  type ValidateCall,
  type ValidateDeps,
  type ValidatorLookup,
  validateRequest,
} from '../functions/validate/validate';
import { entryFor } from '../lib/dispatch';
import { createWebhookVerifier, type EdgeResult, signWebhookToken } from '../lib/webhook';
import { registerValidators, validateUrl } from '../scripts/local-stack/validation';
import { buildFulfillmentRequest, buildTierConfigRequest } from '../test/support/builders';
import { fakeLambdaContext } from '../test/support/lambda-context';
import { startStackOnFreePorts } from '../test/support/local-stack';
import { bundleFile, measureBundles } from './bundles';
import { now, PRODUCT_ID, silentLogger } from './setup';
import { median, percentile, round } from './stats';

const SECRET = 'bench-validate-secret';
export const IN_PROCESS_GOAL_MS = 5;
export const OVER_STACK_GOAL_MS = 300;

export type LatencyCase = {
  name: string;
  runs: number;
  bytes: number;
  p50Ms: number;
  p99Ms: number;
  goalMs: number;
  meetsGoal: boolean;
};

export type ValidateResult = {
  inProcess: LatencyCase[];
  overStack: LatencyCase[];
  coldInit: { kilobytes: number; coldInitMs: number; overBareNodeMs: number; ownCodeMs: number };
};

const email = (value: string) => ({ id: 'email', phase: 'ordering', value, value_error: '' });

/** The bodies Connect would POST: drafts of the seed's product, small and large. */
function bodies(): Array<{ name: string; text: string }> {
  const purchase = (value: string, items = 1) => {
    const payload = buildFulfillmentRequest({ status: 'draft' });
    return JSON.stringify({
      ...payload,
      asset: {
        ...payload.asset,
        product: { id: PRODUCT_ID, name: 'Fallball' },
        items: Array.from({ length: items }, (_, index) => ({
          id: `SKU_${index}`,
          mpn: `MPN-${index}`,
          quantity: '5',
          old_quantity: '0',
          params: [{ id: `item_${index}`, value: 'x'.repeat(40) }],
        })),
        params: [email(value), { id: 'ActivationKey', phase: 'fulfillment', value: '', value_error: '' }],
      },
    });
  };
  const tier = () => {
    const payload = buildTierConfigRequest({ status: 'draft' });
    const required = { id: 'TIER_PARTNER_ID', phase: 'ordering', value: '', constraints: { required: true } };
    return JSON.stringify({
      ...payload,
      params: [required],
      configuration: { ...payload.configuration, tier_level: 2, params: [required] },
    });
  };
  return [
    { name: 'purchase draft, no email (error set)', text: purchase('') },
    { name: 'purchase draft, valid email', text: purchase('ops@example.com') },
    { name: 'tier-2 TCR draft, required param empty', text: tier() },
    { name: 'purchase draft, 1,000 items (~170 KB)', text: purchase('', 1000) },
  ];
}

function summarise(name: string, bytes: number, samples: number[], goalMs: number): LatencyCase {
  const p99 = percentile(samples, 99);
  return {
    name,
    runs: samples.length,
    bytes,
    p50Ms: round(median(samples), 3),
    p99Ms: round(p99, 3),
    goalMs,
    meetsGoal: p99 <= goalMs,
  };
}

type Handler = (event: ValidateCall, context: Context) => Promise<EdgeResult>;

/**
 * The deployed bundle's handler, required in this process with the environment it would have in Lambda (it
 * reads it on each call), and how to put this process's environment back, so that no later section (the cpu
 * section's children inherit it) runs with these settings.
 */
function bundleHandler(file: string): { handler: Handler; restoreEnv: () => void } {
  const settings = {
    CONNECT_API_URL: 'https://api.connect.example/public/v1',
    CONNECT_WEBHOOK_SECRETS: SECRET,
    POWERTOOLS_LOG_LEVEL: 'WARN',
    // Its EMF lines (one per call) would be this benchmark's output; their cost is left out.
    POWERTOOLS_METRICS_DISABLED: 'true',
  };
  const saved = Object.fromEntries(Object.keys(settings).map((name) => [name, process.env[name]]));
  Object.assign(process.env, settings);
  const restoreEnv = () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  return { handler: (require(file) as { handler: Handler }).handler, restoreEnv };
}

async function inProcess(iterations: number, bundleFile: string): Promise<LatencyCase[]> {
  const table = automation({ templates: { activation: () => undefined, tier: undefined } });
  const validatorFor: ValidatorLookup = (objectClass, type, phase) =>
    entryFor(table, objectClass, type)?.validate?.[phase];
  const deps: ValidateDeps = {
    verifier: createWebhookVerifier({ secrets: [SECRET] }),
    validatorFor,
    onError: 'open',
    deadlineMs: 5_000,
    logger: silentLogger,
  };
  const { handler, restoreEnv } = bundleHandler(bundleFile);
  const context = fakeLambdaContext({ functionName: 'connect-fulfillment-bench-validate' });
  const token = await signWebhookToken({ secret: SECRET, lifetimeSeconds: 3_600 });
  const variants: Array<{ label: string; call: (event: ValidateCall) => Promise<EdgeResult> }> = [
    { label: 'core', call: (event) => validateRequest(event, 'bench', deps) },
    { label: 'handler (bundle)', call: (event) => handler(event, context) },
  ];
  const cases: LatencyCase[] = [];
  try {
    for (const { label, call } of variants) {
      for (const { name, text } of bodies()) {
        const event = { body: text, isBase64Encoded: false, headers: { authorization: `Bearer ${token}` } };
        const once = async () => {
          const started = now();
          const result = await call(event);
          const elapsed = now() - started;
          if (result.statusCode !== 200) {
            throw new Error(`validate answered ${result.statusCode}: ${result.body}`);
          }
          return elapsed;
        };
        for (let i = 0; i < Math.max(50, iterations / 10); i++) await once();
        const samples: number[] = [];
        for (let i = 0; i < iterations; i++) samples.push(await once());
        cases.push(summarise(`${label}: ${name}`, Buffer.byteLength(text), samples, IN_PROCESS_GOAL_MS));
      }
    }
  } finally {
    restoreEnv();
  }
  return cases;
}

async function overStack(iterations: number): Promise<LatencyCase[]> {
  const stack = await startStackOnFreePorts({ env: { POWERTOOLS_LOG_LEVEL: 'WARN' } });
  try {
    await registerValidators(stack, [PRODUCT_ID]);
    const url = validateUrl(stack);
    const token = await signWebhookToken({ secret: stack.webhookSecret, lifetimeSeconds: 3_600 });
    const cases: LatencyCase[] = [];
    const time = async (run: () => Promise<Response>) => {
      const started = now();
      const response = await run();
      await response.text();
      const elapsed = now() - started;
      if (response.status !== 200) throw new Error(`answered ${response.status}`);
      return elapsed;
    };
    for (const { name, text } of bodies().slice(0, 3)) {
      const post = () =>
        fetch(url, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: text,
        });
      for (let i = 0; i < 10; i++) await time(post);
      const samples: number[] = [];
      for (let i = 0; i < iterations; i++) samples.push(await time(post));
      cases.push(
        summarise(`POST /connect/validate: ${name}`, Buffer.byteLength(text), samples, OVER_STACK_GOAL_MS),
      );
    }

    // Connect's round trip: the emulator POSTs the draft to our validator and stores the answer.
    const draft = await stack.call<{ id: string }>('POST', '/requests', {
      type: 'purchase',
      status: 'draft',
      asset: { product: { id: PRODUCT_ID }, items: [{ id: 'SKU', quantity: '1' }], params: [email('')] },
    });
    const validate = () =>
      fetch(`${stack.apiUrl}/requests/${draft.id}/validate`, {
        method: 'POST',
        headers: { authorization: stack.apiKey },
      });
    for (let i = 0; i < 10; i++) await time(validate);
    const samples: number[] = [];
    for (let i = 0; i < iterations; i++) samples.push(await time(validate));
    cases.push(
      summarise(
        'emulator POST /requests/{id}/validate (Connect → validator → stored)',
        0,
        samples,
        OVER_STACK_GOAL_MS,
      ),
    );
    return cases;
  } finally {
    await stack.stop();
  }
}

export async function measureValidate(options: {
  iterations: number;
  stackIterations: number;
  bundleRuns: number;
}): Promise<ValidateResult> {
  // The bundle first (built, then loaded in fresh processes), then its handler, warm, in this one.
  const bundle = (await measureBundles({ runs: options.bundleRuns, sls: false, functions: ['validate'] }))
    .cases[0];
  if (!bundle) throw new Error('no validate bundle measured');
  const inProcessCases = await inProcess(options.iterations, bundleFile('validate'));
  const overStackCases = await overStack(options.stackIterations);
  return {
    inProcess: inProcessCases,
    overStack: overStackCases,
    coldInit: {
      kilobytes: bundle.kilobytes,
      coldInitMs: bundle.coldInitMs,
      overBareNodeMs: bundle.overBareNodeMs,
      ownCodeMs: bundle.ownCodeMs,
    },
  };
}

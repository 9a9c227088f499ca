/**
 * Every function's bundle as serverless-esbuild builds it (bench/esbuild-options.ts, held against
 * serverless.yml by test/deploy/serverless-config.test.ts), built in memory:
 *
 * - what is left to the Lambda runtime (`exclude`) is reached only through `import()`, on the path that needs
 *   it: a static `require` of one would load it at every cold start, or fail there if the runtime lacked it;
 * - the deployed zod is `zod/mini` with its English locale, and not classic zod (about 10 ms of cold start);
 * - one copy of the SDK's `NoOpLogger`, which the SDK clients' logger extends.
 */
import { fileURLToPath } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { SLS_ESBUILD } from '../../bench/esbuild-options';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FUNCTIONS = ['router', 'dispatch', 'sweep', 'validate', 'type-function'] as const;
const metafiles = new Map<string, Metafile>();

beforeAll(async () => {
  for (const name of FUNCTIONS) {
    const { metafile } = await build({
      ...SLS_ESBUILD,
      absWorkingDir: ROOT,
      entryPoints: [`functions/${name}/handler.ts`],
      sourcemap: false,
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    metafiles.set(name, metafile);
  }
}, 120_000);

const outputOf = (name: string) => Object.values(metafiles.get(name)?.outputs ?? {})[0];
const isExcluded = (path: string) =>
  SLS_ESBUILD.external.some((pkg) => path === pkg || path.startsWith(`${pkg}/`));

describe.each(FUNCTIONS)('the %s bundle', (name) => {
  it('reaches what it leaves to the runtime through import() only', () => {
    // Act
    const excluded = (outputOf(name)?.imports ?? []).filter((entry) => isExcluded(entry.path));

    // Assess: the credential sources after the environment are in every bundle (the SDK's chain names them).
    expect(excluded.map((entry) => entry.path)).toContain('@aws-sdk/credential-provider-ini');
    expect(excluded.filter((entry) => entry.kind !== 'dynamic-import')).toEqual([]);
  });

  it('carries the AWS SDK it uses itself, not the runtime', () => {
    const external = (outputOf(name)?.imports ?? []).filter((entry) => entry.external);
    expect(
      external.filter((entry) => /^@(aws-sdk|smithy)\//.test(entry.path) && !isExcluded(entry.path)),
    ).toEqual([]);
  });

  it("has one copy of the SDK's NoOpLogger, the one lib/config's SDK logger extends", () => {
    // A second copy of @smithy/core (an SDK update that nests its own) would make the SDK's logger middleware
    // miss our logger's instanceof, and filter every call's input and output again (lib/config/aws-clients.ts).
    const copies = Object.keys(outputOf(name)?.inputs ?? {}).filter((input) =>
      input.endsWith('@smithy/core/dist-es/submodules/client/smithy-client/NoOpLogger.js'),
    );
    expect(copies).toEqual([
      'node_modules/@smithy/core/dist-es/submodules/client/smithy-client/NoOpLogger.js',
    ]);
  });

  it('has zod/mini with its English locale, and no classic zod', () => {
    // Act
    const inputs = outputOf(name)?.inputs ?? {};
    const zod = Object.keys(inputs).filter((input) => input.startsWith('node_modules/zod/'));

    // Assess
    expect(zod).toContain('node_modules/zod/v4/mini/schemas.js');
    expect(zod.filter((input) => input.includes('/classic/'))).toEqual([]);
    // Only lib/zod.ts's `config(en())` uses the locale: it is in the output only if that call survived
    // tree-shaking (package.json lists lib/zod.ts under `sideEffects`).
    expect(inputs['node_modules/zod/v4/locales/en.js']?.bytesInOutput).toBeGreaterThan(0);
  });
});

/**
 * lib/zod.ts: the deployed code's zod is `zod/mini` with English messages, and each function's bundle carries
 * that and not classic zod (about 10 ms of cold start). Bundled in memory as serverless-esbuild bundles them.
 */
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import * as z from '../../lib/zod';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FUNCTIONS = ['router', 'dispatch', 'sweep', 'validate', 'type-function'];

describe('lib/zod', () => {
  it('answers in English', () => {
    // Act
    const result = z.object({ id: z.string() }).safeParse({ id: 7 });

    // Assess
    expect(result.error?.issues.map((issue) => issue.message)).toEqual([
      'Invalid input: expected string, received number',
    ]);
  });

  it.each(FUNCTIONS)(
    'is the zod of the %s bundle: mini, its English locale, no classic zod',
    async (name) => {
      // Act
      const { metafile } = await build({
        absWorkingDir: ROOT,
        entryPoints: [`functions/${name}/handler.ts`],
        bundle: true,
        minify: true,
        platform: 'node',
        format: 'cjs',
        external: ['@aws-sdk/*'],
        write: false,
        metafile: true,
        logLevel: 'silent',
      });

      // Assess
      const inputs = Object.values(metafile.outputs)[0]?.inputs ?? {};
      const zod = Object.keys(inputs).filter((input) => input.startsWith('node_modules/zod/'));
      expect(zod).toContain('node_modules/zod/v4/mini/schemas.js');
      expect(zod.filter((input) => input.includes('/classic/'))).toEqual([]);
      // Only lib/zod.ts's `config(en())` uses the locale: it is in the output only if that call survived
      // tree-shaking (package.json lists lib/zod.ts under `sideEffects`).
      expect(inputs['node_modules/zod/v4/locales/en.js']?.bytesInOutput).toBeGreaterThan(0);
    },
  );
});

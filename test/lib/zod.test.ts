/**
 * lib/zod.ts: the deployed code's zod is `zod/mini` with English messages (that each bundle carries it, and no
 * classic zod: test/deploy/bundles.test.ts).
 */
import { describe, expect, it } from 'vitest';
import * as z from '../../lib/zod';

describe('lib/zod', () => {
  it('answers in English', () => {
    // Act
    const result = z.object({ id: z.string() }).safeParse({ id: 7 });

    // Assess
    expect(result.error?.issues.map((issue) => issue.message)).toEqual([
      'Invalid input: expected string, received number',
    ]);
  });
});

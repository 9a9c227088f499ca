import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { describeError, type Logger } from '../../../lib/observability';

describe('logger', () => {
  it('accepts the Powertools Logger as is', () => {
    // Prepare
    const powertools: Logger = new PowertoolsLogger({ serviceName: 'test', logLevel: 'SILENT' });

    // Act & Assess
    expect(() => powertools.info('hello', { extra: 1 })).not.toThrow();
  });

  it('describes an error by name and message only', () => {
    // Act & Assess
    expect(describeError(new TypeError('bad'))).toEqual({ name: 'TypeError', message: 'bad' });
    expect(describeError('text')).toEqual({ name: 'NonError', message: 'text' });
    expect(describeError({ secret: 'x' })).toEqual({ name: 'NonError', message: 'object' });
  });
});

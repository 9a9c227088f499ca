import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { describe, expect, it } from 'vitest';
import { describeError, type Logger, withLogAttributes } from '../../../lib/fulfillment';
import { RecordingLogger } from '../../support/recording-logger';

describe('logger', () => {
  it('accepts the Powertools Logger as is', () => {
    // Prepare
    const powertools: Logger = new PowertoolsLogger({ serviceName: 'test', logLevel: 'SILENT' });

    // Act
    const wrapped = withLogAttributes(powertools, { request_id: 'PR-1' });

    // Assess
    expect(() => wrapped.info('hello', { extra: 1 })).not.toThrow();
  });

  it('appends the attributes after the caller extras', () => {
    // Prepare
    const recorder = new RecordingLogger();
    const wrapped = withLogAttributes(recorder, { request_id: 'PR-1' });

    // Act
    wrapped.warn('careful', { status: 'failed' });

    // Assess
    expect(recorder.entries).toEqual([
      { level: 'warn', message: 'careful', attributes: { status: 'failed', request_id: 'PR-1' } },
    ]);
  });

  it('describes an error by name and message only', () => {
    // Act & Assess
    expect(describeError(new TypeError('bad'))).toEqual({ name: 'TypeError', message: 'bad' });
    expect(describeError('text')).toEqual({ name: 'NonError', message: 'text' });
    expect(describeError({ secret: 'x' })).toEqual({ name: 'NonError', message: 'object' });
  });
});

import { describe, expect, it } from 'vitest';
import { isObjectClassName } from '../../../lib/object-classes';
import { parseEnvelope } from '../../../lib/webhook';

function validEnvelope(): Record<string, unknown> {
  return {
    webhook_id: 'WH-000-000-001',
    webhook_name: 'fulfillment',
    object_class: 'fulfillment_request',
    account_id: 'VA-000-000',
    product_id: 'PRD-000-000-001',
    api_url: 'https://api.example.test/public/v1',
    triggered_at: '2024-01-01T00:00:00+00:00',
    last_success_at: null,
    last_failure_at: null,
    processing_timeout: 600,
    data: {},
  };
}

describe('parseEnvelope', () => {
  it('accepts a complete envelope', () => {
    const result = parseEnvelope(validEnvelope());

    expect(result).toEqual({ success: true, envelope: validEnvelope() });
  });

  it('accepts the three required fields alone', () => {
    const result = parseEnvelope({
      webhook_id: 'WH-1',
      object_class: 'tier_config_request',
      product_id: 'PRD-1',
    });

    expect(result.success).toBe(true);
  });

  it('names every missing required field', () => {
    const result = parseEnvelope({ webhook_name: 'x' });

    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.issues).toEqual([
      'webhook_id: is required',
      'object_class: is required',
      'product_id: is required',
    ]);
    expect(result.message).toContain('product_id: is required');
  });

  it('names empty and mistyped fields without echoing their values', () => {
    const envelope = { ...validEnvelope(), product_id: '  ', webhook_id: 12345 };

    const result = parseEnvelope(envelope);

    expect(result.success).toBe(false);
    if (result.success) return;
    expect(result.issues).toEqual(['webhook_id: must be a string', 'product_id: must not be empty']);
    expect(result.message).not.toContain('12345');
  });

  it.each([[[validEnvelope()]], [42], [null], ['text']])('rejects a non-object body %#', (body) => {
    const result = parseEnvelope(body);

    expect(result).toEqual({
      success: false,
      issues: ['body: must be a JSON object'],
      message: 'Invalid webhook envelope: body: must be a JSON object',
    });
  });

  it('keeps unknown keys', () => {
    const result = parseEnvelope({ ...validEnvelope(), id: 'EV-1', extra: { nested: true } });

    expect(result.success && result.envelope).toMatchObject({ id: 'EV-1', extra: { nested: true } });
  });

  it('keeps an unknown object class as a string for the router to ignore', () => {
    const result = parseEnvelope({ ...validEnvelope(), object_class: 'usage_file' });

    expect(result.success && result.envelope.object_class).toBe('usage_file');
    expect(isObjectClassName('usage_file')).toBe(false);
    expect(isObjectClassName('tier_config_request')).toBe(true);
  });
});

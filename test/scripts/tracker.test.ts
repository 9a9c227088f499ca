/** The demo's verdict (scripts/local-stack/tracker.ts): what makes `npm run demo` exit 0 or 1. */
import { describe, expect, it } from 'vitest';
import type { Sample } from '../../scripts/local-stack';
import { actionOf, createTracker, renderTable } from '../../scripts/local-stack/tracker';

function sample(name: string, status: string, actions: string[]): Sample {
  return {
    name,
    description: name,
    object_class: 'fulfillment_request',
    expect: { status, actions },
    request: { type: 'purchase' },
  };
}

const call = (method: string, path: string, status = 200) => ({ method, path, status });

describe('actionOf', () => {
  it.each([
    [call('PUT', '/public/v1/requests/PR-1'), { id: 'PR-1', action: 'update' }],
    [call('POST', '/public/v1/requests/PR-1/approve'), { id: 'PR-1', action: 'approve' }],
    [call('GET', '/public/v1/requests/PR-1'), { id: 'PR-1', action: 'get' }],
    [call('POST', '/public/v1/tier/config-requests/TCR-1/inquire'), { id: 'TCR-1', action: 'inquire' }],
    [call('PUT', '/public/v1/requests/PR%2D1'), { id: 'PR-1', action: 'update' }],
  ])('reads %j as %j', (input, expected) => {
    expect(actionOf(input)).toEqual(expected);
  });

  it('is undefined for a listing or a creation', () => {
    expect(actionOf(call('GET', '/public/v1/requests'))).toBeUndefined();
    expect(actionOf(call('POST', '/public/v1/requests'))).toBeUndefined();
  });
});

describe('the verdict', () => {
  function tracked(expected: string, actions: string[]) {
    const tracker = createTracker([{ sample: sample('s', expected, actions), id: 'PR-1' }]);
    const [request] = tracker.requests();
    if (!request) throw new Error('not tracked');
    return { tracker, request };
  }

  it('is ok only with the expected status and exactly the expected calls, in order', () => {
    const { tracker, request } = tracked('approved', ['update', 'approve']);
    tracker.observe('PR-1', 'pending');
    tracker.observe('PR-1', 'approved');
    tracker.setCalls([
      call('PUT', '/public/v1/requests/PR-1'),
      call('POST', '/public/v1/requests/PR-1/approve'),
    ]);

    expect(tracker.verdict(request)).toBe('ok');
    expect(request.history).toEqual(['pending', 'approved']);
  });

  it('waits while the status is not reached yet and the request is not terminal', () => {
    const { tracker, request } = tracked('approved', ['approve']);
    tracker.observe('PR-1', 'pending');

    expect(tracker.verdict(request)).toBe('waiting');
  });

  it('is a mismatch when the request ends in another terminal status', () => {
    const { tracker, request } = tracked('approved', ['approve']);
    tracker.observe('PR-1', 'failed');

    expect(tracker.verdict(request)).toBe('mismatch');
  });

  it('is a mismatch when a call too many was made, and waits while calls are still missing', () => {
    const { tracker, request } = tracked('approved', ['update', 'approve']);
    tracker.observe('PR-1', 'approved');
    tracker.setCalls([call('PUT', '/public/v1/requests/PR-1')]);
    expect(tracker.verdict(request)).toBe('waiting');

    tracker.setCalls([
      call('PUT', '/public/v1/requests/PR-1'),
      call('POST', '/public/v1/requests/PR-1/approve'),
      call('POST', '/public/v1/requests/PR-1/approve', 400),
    ]);
    expect(tracker.verdict(request)).toBe('mismatch');
  });

  it('is a mismatch when the same number of calls differ', () => {
    const { tracker, request } = tracked('inquiring', ['update', 'inquire']);
    tracker.observe('PR-1', 'inquiring');
    tracker.setCalls([
      call('POST', '/public/v1/requests/PR-1/inquire'),
      call('PUT', '/public/v1/requests/PR-1'),
    ]);

    expect(tracker.verdict(request)).toBe('mismatch');
  });

  it('follows a request created by hand without judging it', () => {
    const tracker = createTracker([]);
    tracker.follow('PR-9', 'change');
    tracker.observe('PR-9', 'approved');
    const [request] = tracker.requests();

    expect(request && tracker.verdict(request)).toBe('unjudged');
    expect(tracker.isFollowed('PR-9')).toBe(true);
  });

  it('records only changes of status', () => {
    const { tracker, request } = tracked('approved', []);

    expect(tracker.observe('PR-1', 'pending')).toBe(true);
    expect(tracker.observe('PR-1', 'pending')).toBe(false);
    expect(tracker.observe('PR-UNKNOWN', 'pending')).toBe(false);
    expect(request.history).toEqual(['pending']);
  });
});

describe('renderTable', () => {
  it('shows every request with its expectation, verdict and task record', () => {
    const tracker = createTracker([
      { sample: sample('purchase-ok', 'approved', ['approve']), id: 'PR-1' },
      { sample: sample('purchase-late', 'approved', ['approve']), id: 'PR-2' },
    ]);
    tracker.observe('PR-1', 'approved');
    tracker.setCalls([call('POST', '/public/v1/requests/PR-1/approve')]);
    tracker.setTask('PR-1', { state: 'done', reschedules: 2, reason: undefined });

    const lines = renderTable(tracker).split('\n');

    expect(lines[0]).toMatch(/^REQUEST\s+TYPE\s+STATUS\s+EXPECTED\s+OUTCOME \[CALLS\]\s+TASK\s+SAMPLE$/);
    expect(lines[1]).toMatch(
      /^PR-1\s+purchase\s+approved\s+approved \[approve\]\s+ok \[approve\]\s+done \(rescheduled 2×\)\s+purchase-ok$/,
    );
    expect(lines[2]).toMatch(
      /^PR-2\s+purchase\s+\(not seen yet\)\s+approved \[approve\]\s+… \[\]\s+—\s+purchase-late$/,
    );
  });
});

describe('the task verdict', () => {
  it('waits while the record is processing or rescheduled, and holds a parked request to its reason', () => {
    const parked = {
      ...sample('purchase-parked', 'pending', []),
      expect: { status: 'pending', actions: [], task: { state: 'parked' as const, reason: 'no email' } },
    };
    const tracker = createTracker([{ sample: parked, id: 'PR-1' }]);
    tracker.observe('PR-1', 'pending');
    const request = () => tracker.requests()[0] as Parameters<typeof tracker.verdict>[0];

    tracker.setTask('PR-1', { state: 'processing', reschedules: 0, reason: undefined });
    expect(tracker.verdict(request())).toBe('waiting');
    tracker.setTask('PR-1', { state: 'parked', reschedules: 0, reason: 'something else' });
    expect(tracker.verdict(request())).toBe('mismatch');
    tracker.setTask('PR-1', { state: 'parked', reschedules: 0, reason: 'no email' });
    expect(tracker.verdict(request())).toBe('ok');
  });
});

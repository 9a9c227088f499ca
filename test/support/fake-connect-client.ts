/**
 * A small stateful in-memory Connect for the fulfillment tests: keeps requests, tier config requests
 * and conversations, applies the status rules of the actions (only from `pending`, as Connect does),
 * records every call, and can be told to fail the next call of an operation.
 */

import type {
  ConnectClient,
  Conversation,
  ConversationMessage,
  FulfillmentRequest,
  Param,
  ParamUpdate,
  TierConfigRequest,
} from '../../lib/connect';
import { ConnectNotFoundError, ConnectValidationError } from '../../lib/connect';

export type RecordedCall = { op: string; id: string; body?: unknown };

function merge(params: Param[], updates: readonly ParamUpdate[]): void {
  for (const update of updates) {
    const param = params.find((candidate) => candidate.id === update.id);
    if (param === undefined) params.push({ ...update });
    else Object.assign(param, update);
  }
}

export class FakeConnectClient implements ConnectClient {
  readonly calls: RecordedCall[] = [];
  readonly fulfillment = new Map<string, FulfillmentRequest>();
  readonly tierConfig = new Map<string, TierConfigRequest>();
  /** Conversations by instance id (the request id). */
  readonly conversationsByInstance = new Map<string, Conversation>();
  readonly messages: { conversationId: string; text: string }[] = [];
  private readonly failures = new Map<string, unknown[]>();

  constructor(seed: { requests?: FulfillmentRequest[]; tierConfigRequests?: TierConfigRequest[] } = {}) {
    for (const request of seed.requests ?? []) this.fulfillment.set(request.id, structuredClone(request));
    for (const request of seed.tierConfigRequests ?? [])
      this.tierConfig.set(request.id, structuredClone(request));
  }

  /** Makes the next call of `op` (e.g. `requests.approve`) throw `error`. */
  failNext(op: string, error: unknown): void {
    this.failures.set(op, [...(this.failures.get(op) ?? []), error]);
  }

  addConversation(instanceId: string, id = `CO-${instanceId}`): Conversation {
    const conversation: Conversation = { id, instance_id: instanceId, topic: `Request <${instanceId}>` };
    this.conversationsByInstance.set(instanceId, conversation);
    return conversation;
  }

  /** The recorded calls as `op id` strings, for compact assertions. */
  ops(): string[] {
    return this.calls.map((call) => `${call.op} ${call.id}`);
  }

  private enter(op: string, id: string, body?: unknown): void {
    this.calls.push(body === undefined ? { op, id } : { op, id, body: structuredClone(body) });
    const queued = this.failures.get(op);
    if (queued !== undefined && queued.length > 0) throw queued.shift();
  }

  private fr(method: string, path: string, id: string): FulfillmentRequest {
    const request = this.fulfillment.get(id);
    if (request === undefined) throw new ConnectNotFoundError({ method, path, status: 404 });
    return request;
  }

  private tcr(method: string, path: string, id: string): TierConfigRequest {
    const request = this.tierConfig.get(id);
    if (request === undefined) throw new ConnectNotFoundError({ method, path, status: 404 });
    return request;
  }

  private static requirePending(status: string, method: string, path: string): void {
    if (status !== 'pending') {
      throw new ConnectValidationError({
        method,
        path,
        status: 400,
        errorCode: 'FAKE_001',
        errors: [`Action not allowed in status ${status}.`],
      });
    }
  }

  readonly requests: ConnectClient['requests'] = {
    list: (): AsyncIterable<FulfillmentRequest> => {
      const all = [...this.fulfillment.values()];
      return (async function* () {
        yield* all;
      })();
    },
    get: async (id) => {
      this.enter('requests.get', id);
      return structuredClone(this.fr('GET', `/requests/${id}`, id));
    },
    updateParams: async (id, params, note) => {
      this.enter('requests.updateParams', id, note === undefined ? { params } : { params, note });
      const request = this.fr('PUT', `/requests/${id}`, id);
      merge(request.asset.params, params);
      if (note !== undefined) request.note = note;
      return structuredClone(request);
    },
    approve: async (id, body) => {
      this.enter('requests.approve', id, body);
      const request = this.fr('POST', `/requests/${id}/approve`, id);
      FakeConnectClient.requirePending(request.status, 'POST', `/requests/${id}/approve`);
      request.status = 'approved';
      return structuredClone(request);
    },
    inquire: async (id, body) => {
      this.enter('requests.inquire', id, body);
      const request = this.fr('POST', `/requests/${id}/inquire`, id);
      FakeConnectClient.requirePending(request.status, 'POST', `/requests/${id}/inquire`);
      request.status = 'inquiring';
      return structuredClone(request);
    },
    fail: async (id, reason) => {
      this.enter('requests.fail', id, { reason });
      const request = this.fr('POST', `/requests/${id}/fail`, id);
      FakeConnectClient.requirePending(request.status, 'POST', `/requests/${id}/fail`);
      request.status = 'failed';
      request.reason = reason;
      return structuredClone(request);
    },
    pend: async (id) => {
      this.enter('requests.pend', id);
      const request = this.fr('POST', `/requests/${id}/pend`, id);
      request.status = 'pending';
      return structuredClone(request);
    },
  };

  readonly tierConfigRequests: ConnectClient['tierConfigRequests'] = {
    list: (): AsyncIterable<TierConfigRequest> => {
      const all = [...this.tierConfig.values()];
      return (async function* () {
        yield* all;
      })();
    },
    get: async (id) => {
      this.enter('tierConfigRequests.get', id);
      return structuredClone(this.tcr('GET', `/tier/config-requests/${id}`, id));
    },
    updateParams: async (id, params, notes) => {
      this.enter('tierConfigRequests.updateParams', id, notes === undefined ? { params } : { params, notes });
      const request = this.tcr('PUT', `/tier/config-requests/${id}`, id);
      merge(request.params, params);
      if (notes !== undefined) request.notes = notes;
    },
    approve: async (id, body) => {
      this.enter('tierConfigRequests.approve', id, body);
      const request = this.tcr('POST', `/tier/config-requests/${id}/approve`, id);
      FakeConnectClient.requirePending(request.status, 'POST', `/tier/config-requests/${id}/approve`);
      request.status = 'approved';
      return { template: { id: 'id' in body.template ? body.template.id : 'TL-000-000-000' } };
    },
    inquire: async (id) => {
      this.enter('tierConfigRequests.inquire', id);
      const request = this.tcr('POST', `/tier/config-requests/${id}/inquire`, id);
      FakeConnectClient.requirePending(request.status, 'POST', `/tier/config-requests/${id}/inquire`);
      request.status = 'inquiring';
    },
    fail: async (id, reason) => {
      this.enter('tierConfigRequests.fail', id, { reason });
      const request = this.tcr('POST', `/tier/config-requests/${id}/fail`, id);
      if (request.status !== 'inquiring') {
        FakeConnectClient.requirePending(request.status, 'POST', `/tier/config-requests/${id}/fail`);
      }
      request.status = 'failed';
      request.reason = reason;
    },
    pend: async (id) => {
      this.enter('tierConfigRequests.pend', id);
      this.tcr('POST', `/tier/config-requests/${id}/pend`, id).status = 'pending';
    },
  };

  readonly conversations: ConnectClient['conversations'] = {
    findByInstanceId: async (instanceId) => {
      this.enter('conversations.findByInstanceId', instanceId);
      return this.conversationsByInstance.get(instanceId);
    },
    postMessage: async (conversationId, text): Promise<ConversationMessage> => {
      this.enter('conversations.postMessage', conversationId, { text });
      this.messages.push({ conversationId, text });
      return { id: `ME-${this.messages.length}`, conversation: conversationId, text, type: 'message' };
    },
  };
}

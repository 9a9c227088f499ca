/**
 * Status machines of API.md §5: which action is allowed from which status, and the effect of a
 * request's life on its asset (§5.4). Pure functions; a refused action throws `EMU_STATE`.
 */

import { stateError } from './errors';
import type {
  AssetStatus,
  FulfillmentRequestStatus,
  FulfillmentRequestType,
  TierConfigRequestStatus,
} from './wire';

export type RequestAction = 'approve' | 'inquire' | 'fail' | 'pend' | 'purchase';
export type TierConfigAction = 'approve' | 'inquire' | 'fail' | 'pend' | 'submit';

type Transition<S extends string> = { from: readonly S[]; to: S };

/** §5.2: approve/inquire/fail only from pending; pend only from inquiring; purchase only from draft (§5.1 #3). */
export const REQUEST_TRANSITIONS: Record<RequestAction, Transition<FulfillmentRequestStatus>> = {
  approve: { from: ['pending'], to: 'approved' },
  inquire: { from: ['pending'], to: 'inquiring' },
  fail: { from: ['pending'], to: 'failed' },
  pend: { from: ['inquiring'], to: 'pending' },
  purchase: { from: ['draft'], to: 'pending' },
};

/**
 * §5.3: like fulfillment requests, except that a TCR can also be failed from inquiring; a draft is
 * submitted (§7.3 `submit`) to pending.
 */
export const TIER_CONFIG_TRANSITIONS: Record<TierConfigAction, Transition<TierConfigRequestStatus>> = {
  approve: { from: ['pending'], to: 'approved' },
  inquire: { from: ['pending'], to: 'inquiring' },
  fail: { from: ['pending', 'inquiring'], to: 'failed' },
  pend: { from: ['inquiring'], to: 'pending' },
  submit: { from: ['draft'], to: 'pending' },
};

/** Request types that may be created as drafts: those Connect has validators for (API.md §11.4). */
export const DRAFT_REQUEST_TYPES: readonly FulfillmentRequestType[] = [
  'purchase',
  'change',
  'renew',
  'transfer',
];

/** Statuses in which parameters (and note / notes) may be updated with PUT. */
export const REQUEST_EDITABLE: readonly FulfillmentRequestStatus[] = ['draft', 'pending', 'inquiring'];
export const TIER_CONFIG_EDITABLE: readonly TierConfigRequestStatus[] = ['draft', 'pending', 'inquiring'];

export function nextRequestStatus(
  id: string,
  current: FulfillmentRequestStatus,
  action: RequestAction,
): FulfillmentRequestStatus {
  const transition = REQUEST_TRANSITIONS[action];
  if (!transition.from.includes(current)) {
    throw stateError(`Request ${id} is ${current}: ${action} is allowed from ${transition.from.join(', ')}.`);
  }
  return transition.to;
}

export function nextTierConfigStatus(
  id: string,
  current: TierConfigRequestStatus,
  action: TierConfigAction,
): TierConfigRequestStatus {
  const transition = TIER_CONFIG_TRANSITIONS[action];
  if (!transition.from.includes(current)) {
    throw stateError(
      `Tier config request ${id} is ${current}: ${action} is allowed from ${transition.from.join(', ')}.`,
    );
  }
  return transition.to;
}

export function assertEditable(id: string, current: string, editable: readonly string[]): void {
  if (!editable.includes(current)) {
    throw stateError(`${id} is ${current}: parameters can be updated only when ${editable.join(', ')}.`);
  }
}

/** Asset statuses from which a request of each (non-purchase) type may be created. */
const CREATE_FROM: Record<Exclude<FulfillmentRequestType, 'purchase'>, readonly string[]> = {
  change: ['active'],
  suspend: ['active'],
  resume: ['suspended'],
  cancel: ['active', 'suspended'],
  adjustment: ['active', 'suspended'],
  renew: ['active'],
  transfer: ['active'],
};

export function assertCanCreateOn(
  type: Exclude<FulfillmentRequestType, 'purchase'>,
  assetId: string,
  assetStatus: string,
): void {
  const allowed = CREATE_FROM[type];
  if (!allowed.includes(assetStatus)) {
    throw stateError(
      `Asset ${assetId} is ${assetStatus}: a ${type} request needs the asset ${allowed.join(' or ')}.`,
    );
  }
}

/** §5.4: the asset while the request is open (a cancel makes it terminating; a draft purchase's is `draft`). */
export function assetStatusOnCreate(
  type: FulfillmentRequestType,
  current: AssetStatus,
  draft = false,
): AssetStatus {
  if (type === 'purchase') return draft ? 'draft' : 'processing';
  if (type === 'cancel') return 'terminating';
  return current;
}

/** §5.4: the asset once the request is approved. */
export function assetStatusAfterApprove(type: FulfillmentRequestType, current: AssetStatus): AssetStatus {
  switch (type) {
    case 'purchase':
    case 'resume':
    case 'change':
    case 'renew':
    case 'transfer':
      return 'active';
    case 'suspend':
      return 'suspended';
    case 'cancel':
      return 'terminated';
    case 'adjustment':
      return current;
  }
}

/** §5.4: the asset once the request fails (a failed cancel gives the asset back its previous status). */
export function assetStatusAfterFail(
  type: FulfillmentRequestType,
  current: AssetStatus,
  beforeRequest: AssetStatus | undefined,
): AssetStatus {
  if (type === 'purchase') return 'terminated';
  if (type === 'cancel') return beforeRequest ?? 'active';
  return current;
}

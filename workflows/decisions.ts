/**
 * The saga's decision table as pure functions: what to do after each gateway answer. Kept apart
 * from the workflow so every row can be unit-tested and read in one place (README mirrors it).
 */
import type { GatewayCallResult } from './types';

const NOT_FOUND = ['UPAY_ORDER_NOT_EXISTS', 'UPAY_ORDER_NOT_EXIST'];

function orderNotFound(r: GatewayCallResult): boolean {
  return r.kind === 'definite_failure' && NOT_FOUND.includes(r.errorCode ?? '');
}

/** Order status from a query that positively answered, else undefined. */
function knownStatus(q: GatewayCallResult): string | undefined {
  return q.kind === 'success' || q.kind === 'in_progress' ? q.order?.orderStatus : undefined;
}

export type AfterPay = 'PAID' | 'FAILED' | 'CONFIRM';

/** Only a positive success is PAID; only a definite no is FAILED; everything else is confirmed by query. */
export function afterPay(pay: GatewayCallResult): AfterPay {
  if (pay.kind === 'success') return 'PAID';
  if (pay.kind === 'definite_failure') return 'FAILED';
  return 'CONFIRM';
}

export type Decision =
  { next: 'PAID' | 'FAILED' | 'CANCELED' | 'REVOKED' | 'RETRY' | 'REFUSED' } | { next: 'ESCALATE'; reason: string };

const go = (next: Exclude<Decision['next'], 'ESCALATE'>): Decision => ({ next });
const escalate = (reason: string): Decision => ({ next: 'ESCALATE', reason });

/** Confirm phase (pay in progress or unknown). RETRY = keep querying while the window lasts. */
export function afterConfirmQuery(q: GatewayCallResult): Decision {
  if (orderNotFound(q)) return go('FAILED'); // the pay never created an order: nothing to reverse
  switch (knownStatus(q)) {
    case 'PAID':
      return go('PAID');
    case 'PAY_CANCELED':
      return go('FAILED');
    case 'CANCELED':
      return go('CANCELED');
    case 'REFUNDED':
    case 'PARTIAL_REFUNDED':
      return escalate(`order ${q.order?.orderStatus} at the gateway while its payment was being confirmed`);
    default:
      return go('RETRY');
  }
}

/** What the saga remembers across cancel attempts. */
export interface CancelContext {
  /** A cancel answered in progress: a reversal is underway, so a PAID query is not final. */
  reversalStarted: boolean;
  /** Error code of a definite refusal in this attempt, if any. */
  refusal?: string;
}

/** A cancel attempt that did not succeed is always followed by a query; this reads that query. */
export function afterCancelQuery(q: GatewayCallResult, ctx: CancelContext): Decision {
  if (orderNotFound(q)) return go('FAILED');
  const status = knownStatus(q);
  if (status === 'CANCELED' || status === 'PAY_CANCELED') return go('CANCELED');
  if (status === 'REFUNDED' || status === 'PARTIAL_REFUNDED')
    return escalate(`order ${status} at the gateway while cancelling`);
  if (ctx.refusal) return escalate(`cancel refused by the gateway: ${ctx.refusal}`);
  // The payment landed before any reversal took hold: consistent, not a failure.
  if (status === 'PAID' && !ctx.reversalStarted) return go('PAID');
  return go('RETRY');
}

/** The cancel answer itself: success ends the saga, anything else is confirmed by query. */
export function cancelRefusal(cancel: GatewayCallResult): string | undefined {
  if (cancel.kind !== 'definite_failure' || orderNotFound(cancel)) return undefined;
  return cancel.errorCode ?? cancel.reason;
}

export function revokeRefusal(revoke: GatewayCallResult): string | undefined {
  return cancelRefusal(revoke);
}

/**
 * The look before a revoke (patch `query-before-revoke`): undefined = PAID, or no clear answer, so
 * send the revoke (its own answer and the query after it decide). Already CANCELED = reversed
 * elsewhere, nothing to send. Anything else (refunded, not found) = a person decides.
 */
export function beforeRevoke(q: GatewayCallResult): Decision | undefined {
  const status = knownStatus(q);
  if (status === 'CANCELED') return go('REVOKED');
  if (orderNotFound(q) || (status !== undefined && status !== 'PAID' && status !== 'CANCEL_INPROGRESS')) {
    return escalate(`order ${status ?? 'not found'} at the gateway before revoke; revoke not sent`);
  }
  return undefined;
}

/**
 * A revoke attempt that did not succeed is followed by a query; this reads it. A refusal means
 * "nothing happened" only for its own attempt: after an earlier attempt whose answer was lost, only
 * a query showing PAID proves the money is still there.
 */
export function afterRevokeQuery(q: GatewayCallResult, refusal: string | undefined, earlierUnknown = false): Decision {
  const status = knownStatus(q);
  if (status === 'CANCELED') return go('REVOKED');
  if (status === 'PAID') return go(refusal ? 'REFUSED' : 'RETRY');
  if (orderNotFound(q) || (status !== undefined && status !== 'CANCEL_INPROGRESS')) {
    return escalate(`order ${status ?? 'not found'} at the gateway during revoke`);
  }
  return refusal && !earlierUnknown ? go('REFUSED') : go('RETRY');
}

/** Gateway statuses in which the merchant keeps nothing, for good. */
const SETTLED_NOT_PAID = ['PAY_CANCELED', 'CANCELED', 'REFUNDED'];

/**
 * The check before close, for a PAID found late and for every operator resolution: the gateway must
 * agree. PAID needs a PAID order; FAILED, CANCELED and REVOKED need an order that settled keeping
 * nothing. An order still in flight or an unknown answer goes back to a person (the gateway cancels
 * unpaid orders within minutes, so by the close of the day its answer is final).
 */
export function disagreesAtClose(state: string, q: GatewayCallResult): string | undefined {
  const status = orderNotFound(q) ? 'NOT_FOUND' : knownStatus(q);
  const agrees =
    state === 'PAID' ? status === 'PAID' : status === 'NOT_FOUND' || SETTLED_NOT_PAID.includes(status ?? '');
  if (agrees) return undefined;
  return `order is ${status ?? 'unknown'} at the gateway at close, but the payment is ${state}`;
}

/**
 * The saga's decision table as pure functions, one decision type per phase: what each gateway answer
 * means for the next step. No Temporal API here, so every row is unit-tested without a server
 * (test/unit/decisions.test.ts); the README's decision table mirrors it.
 */
import type { SagaRules } from './transitions';
import type { GatewayCallResult, PaymentRequest, PaymentState } from './types';
import { isOrderNotFound, listedOrderStatus, type OrderStatus } from './vocabulary';

type Escalate = { next: 'ESCALATE'; reason: string };
/** `{ next: 'A' } | { next: 'B' }` from `'A' | 'B'`, so a switch on `next` narrows. */
type Next<T extends string> = T extends unknown ? { next: T } : never;
const escalate = (reason: string): Escalate => ({ next: 'ESCALATE', reason });

/** Compile-time proof that a switch covered every case. */
export function unreachable(value: never): never {
  throw new Error(`unreachable: ${JSON.stringify(value)}`);
}

function orderNotFound(r: GatewayCallResult): boolean {
  return r.kind === 'definite_failure' && isOrderNotFound(r.errorCode);
}

/** Order status from a query that positively answered, else undefined. */
function knownStatus(q: GatewayCallResult): OrderStatus | 'UNLISTED' | undefined {
  return q.kind === 'success' || q.kind === 'in_progress' ? listedOrderStatus(q.order?.orderStatus) : undefined;
}

// --- whose order (R1) ---

const yuan = (fen: number | undefined) => (fen === undefined ? '?' : `¥${(fen / 100).toFixed(2)}`);

/**
 * Why an answer is about another order than the one this payment asked for (money rules R1): a
 * different client_sn, terminal (when the answer names one) or amount in fen. Undefined when the
 * answer names no order, or names ours. Both orders' facts are in the words, for the person who looks.
 */
export function anotherOrder(request: PaymentRequest, result: GatewayCallResult): string | undefined {
  const o = result.order;
  if (!o) return undefined;
  const differs =
    o.clientSn !== request.clientSn ||
    (o.terminalSn !== undefined && o.terminalSn !== request.terminalSn) ||
    (o.totalAmountFen !== undefined && o.totalAmountFen !== request.amountFen);
  if (!differs) return undefined;
  return (
    `the ${result.operation} answer is about another order (sn ${o.sn}, client_sn ${o.clientSn}, ` +
    `terminal ${o.terminalSn ?? '?'}, ${yuan(o.totalAmountFen)}, ${o.orderStatus}) than this payment ` +
    `(client_sn ${request.clientSn}, terminal ${request.terminalSn}, ${yuan(request.amountFen)}); nothing is reversed`
  );
}

/** The order shows a final reversal: CANCELED, or PAY_CANCELED. */
export function showsReversed(q: GatewayCallResult): boolean {
  const status = knownStatus(q);
  return status === 'CANCELED' || status === 'PAY_CANCELED';
}

// --- a Temporal cancellation request (R6) ---

/**
 * What a cancellation request means in each state (money rules R6): before the outcome, "do not
 * take this money"; while cancelling, the schedule goes on; once the outcome is known it changes
 * nothing, and the operator reads why in `status.ignored`.
 */
export function cancellationEffect(state: PaymentState): {
  effect: 'DO_NOT_TAKE' | 'ALREADY_COMPENSATING' | 'IGNORED';
  why?: string;
} {
  switch (state) {
    case 'PAYING':
    case 'CONFIRMING':
      return { effect: 'DO_NOT_TAKE' };
    case 'CANCELING':
      return { effect: 'ALREADY_COMPENSATING' };
    case 'PAID':
      return {
        effect: 'IGNORED',
        why: 'payment is PAID: a cancellation request does not return money; use revoke (same day) to give it back',
      };
    case 'REVOKING':
      return { effect: 'IGNORED', why: 'a revoke is underway; the cancellation request changes nothing' };
    case 'NEEDS_ATTENTION':
      return {
        effect: 'IGNORED',
        why: 'payment is NEEDS_ATTENTION: a cancellation request changes nothing; a person resolves it (resolve)',
      };
    case 'FAILED':
    case 'CANCELED':
    case 'REVOKED':
    case 'REFUNDED':
    case 'PARTIAL_REFUNDED':
    case 'SETTLED_OUTSIDE':
      return { effect: 'IGNORED', why: `payment already ended ${state}; the cancellation request changes nothing` };
    default:
      return unreachable(state);
  }
}

// --- pay ---

export type PayDecision = 'PAID' | 'FAILED' | 'CONFIRM';

/** Only a positive success is PAID; only a definite no is FAILED; everything else is confirmed by query. */
export function afterPay(pay: GatewayCallResult): PayDecision {
  switch (pay.kind) {
    case 'success':
      return 'PAID';
    case 'definite_failure':
      return 'FAILED';
    case 'in_progress':
    case 'unknown':
      return 'CONFIRM';
    default:
      return unreachable(pay.kind);
  }
}

// --- confirm ---

export type ConfirmDecision = Next<'PAID' | 'FAILED' | 'NO_ORDER' | 'CANCELED' | 'QUERY_AGAIN'> | Escalate;

/**
 * A confirm query (pay was in progress or unknown). QUERY_AGAIN while the window lasts. "No such
 * order" (NO_ORDER: nothing to reverse, the payment failed) counts only once no pay of ours can
 * still reach the books (R5).
 */
export function afterConfirmQuery(q: GatewayCallResult, payMayStillArrive = false): ConfirmDecision {
  if (orderNotFound(q)) return payMayStillArrive ? { next: 'QUERY_AGAIN' } : { next: 'NO_ORDER' };
  const status = knownStatus(q);
  switch (status) {
    case 'PAID':
      return { next: 'PAID' };
    case 'PAY_CANCELED':
      return { next: 'FAILED' };
    case 'CANCELED':
      return { next: 'CANCELED' };
    case 'REFUNDED':
    case 'PARTIAL_REFUNDED':
      return escalate(`order ${status} at the gateway while its payment was being confirmed`);
    case 'CREATED':
    case 'PAY_ERROR':
    case 'REFUND_INPROGRESS':
    case 'REFUND_ERROR':
    case 'CANCEL_ERROR':
    case 'CANCEL_INPROGRESS':
    case 'INVALID_STATUS_CODE':
    case 'UNLISTED':
    case undefined:
      return { next: 'QUERY_AGAIN' };
    default:
      return unreachable(status);
  }
}

/**
 * Money rules R6 during confirm: after a cancellation request, PAID or "still unclear" means
 * compensate now; answers where the money did not stay (PAY_CANCELED, CANCELED, no order) and
 * escalations stand. After CLIENT_SN_CONFLICT nothing is cancelled until an order is proved ours
 * (R1): the queries go on, and the window's end hands it to a person as before.
 */
export function confirmUnderCancellation(
  d: ConfirmDecision,
  noOrderProvedOurs: boolean,
): ConfirmDecision | { next: 'COMPENSATE' } {
  if (d.next !== 'PAID' && d.next !== 'QUERY_AGAIN') return d;
  return noOrderProvedOurs ? { next: 'QUERY_AGAIN' } : { next: 'COMPENSATE' };
}

// --- compensate (冲正) ---

export type CancelDecision = Next<'CANCELED' | 'FAILED' | 'PAID' | 'CANCEL_AGAIN'> | Escalate;

/** What the saga knows when it reads the query after a cancel. */
export interface CancelContext {
  rules: SagaRules;
  /** A cancel answered in progress: a reversal is underway, so a PAID query is not final (legacy rules). */
  reversalStarted: boolean;
  /** Error code of a definite refusal in this attempt, if any. */
  refusal?: string;
  /** An earlier cancel without a definite answer may still take effect (R3). */
  reversalInDoubt?: boolean;
  /** A pay of ours may still reach the books, so "no such order" is not final (R5). */
  payMayStillArrive?: boolean;
}

/** The code of a definite refusal of a cancel or revoke; "no such order" is not a refusal. */
export function refusalOf(answer: GatewayCallResult): string | undefined {
  if (answer.kind !== 'definite_failure' || orderNotFound(answer)) return undefined;
  return answer.errorCode ?? answer.reason;
}

/**
 * A cancel that did not succeed is always followed by a query; this reads that query. Compensation
 * finishes what it starts (R2): a PAID order is cancelled again on the schedule (cancel reverses
 * PAID too), never reported PAID. A refusal ends it only when no earlier cancel is in doubt (R3).
 */
export function afterCancelQuery(q: GatewayCallResult, ctx: CancelContext): CancelDecision {
  if (orderNotFound(q)) return ctx.payMayStillArrive ? { next: 'CANCEL_AGAIN' } : { next: 'FAILED' };
  const status = knownStatus(q);
  if (status === 'CANCELED' || status === 'PAY_CANCELED') return { next: 'CANCELED' };
  if (status === 'REFUNDED' || status === 'PARTIAL_REFUNDED')
    return escalate(`order ${status} at the gateway while cancelling`);
  if (ctx.refusal && !ctx.reversalInDoubt) return escalate(`cancel refused by the gateway: ${ctx.refusal}`);
  // Legacy rules only: a payment that landed before any reversal took hold was reported PAID.
  if (ctx.rules === 'legacy' && status === 'PAID' && !ctx.reversalStarted) return { next: 'PAID' };
  return { next: 'CANCEL_AGAIN' };
}

// --- revoke (手动撤单) ---

export type RevokeLookDecision =
  | Next<'SEND_REVOKE' | 'ALREADY_REVOKED'>
  | { next: 'REFUNDED'; orderStatus: 'REFUNDED' | 'PARTIAL_REFUNDED' }
  | Escalate;

/**
 * The look before the first revoke: PAID, or no clear answer, means send the revoke (its own
 * answer and the query after it decide). Already CANCELED = reversed elsewhere, nothing to send.
 * REFUNDED / PARTIAL_REFUNDED: the gateway forbids a revoke after a refund, so nothing is sent; a
 * payment that knows its refunds (`knowsRefunds()`, patch `payment-knows-refunds`, asked only when
 * the look shows a refund) refuses the revoke ("refunded: use refund"); before the patch, a person.
 * Anything else (not found, an unlisted state) = a person decides.
 */
export function beforeRevoke(q: GatewayCallResult, knowsRefunds: () => boolean = () => false): RevokeLookDecision {
  const status = knownStatus(q);
  if (status === 'CANCELED') return { next: 'ALREADY_REVOKED' };
  if ((status === 'REFUNDED' || status === 'PARTIAL_REFUNDED') && knowsRefunds())
    return { next: 'REFUNDED', orderStatus: status };
  if (orderNotFound(q) || (status !== undefined && status !== 'PAID' && status !== 'CANCEL_INPROGRESS')) {
    return escalate(`order ${q.order?.orderStatus ?? 'not found'} at the gateway before revoke; revoke not sent`);
  }
  return { next: 'SEND_REVOKE' };
}

/** The revoke's detail when a refund forbids it (the gateway refuses a revoke after any refund). */
export function refundedUseRefund(what: string): string {
  return `refunded: use refund (${what}); no revoke sent`;
}

export type RevokeDecision = Next<'REVOKED' | 'REFUSED' | 'REVOKE_AGAIN'> | Escalate;

/**
 * A revoke that did not succeed is followed by a query; this reads it. A refusal means "nothing
 * happened" only for its own attempt: after an earlier attempt whose answer was lost, only a query
 * showing PAID proves the money is still there.
 */
export function afterRevokeQuery(
  q: GatewayCallResult,
  refusal: string | undefined,
  earlierInDoubt: boolean,
  rules: SagaRules = 'money-rules',
  earlierEverInDoubt = false,
): RevokeDecision {
  const status = knownStatus(q);
  if (status === 'CANCELED') return { next: 'REVOKED' };
  // PAID proves the money stayed only once every earlier attempt has outlived its doubt (R3); legacy trusted it.
  const paidIsProof = rules === 'legacy' || !earlierInDoubt;
  if (status === 'PAID') return refusal && paidIsProof ? { next: 'REFUSED' } : { next: 'REVOKE_AGAIN' };
  if (orderNotFound(q) || (status !== undefined && status !== 'CANCEL_INPROGRESS')) {
    return escalate(`order ${q.order?.orderStatus ?? 'not found'} at the gateway during revoke`);
  }
  // No final status: a refusal is proof only if no earlier attempt was ever in doubt. One whose doubt has
  // run out can no longer land, but it may have landed (R3: decide on a final status, or on a PAID that
  // outlived every doubtful attempt).
  return refusal && !earlierInDoubt && !earlierEverInDoubt ? { next: 'REFUSED' } : { next: 'REVOKE_AGAIN' };
}

// --- close ---

/** Gateway statuses in which the merchant keeps nothing, for good. */
const SETTLED_NOT_PAID: readonly string[] = ['NOT_FOUND', 'PAY_CANCELED', 'CANCELED', 'REFUNDED'];

/** What the gateway must show at close for each state a payment can close in. */
function agreesAtClose(state: PaymentState, seen: string | undefined): boolean {
  switch (state) {
    case 'PAID':
    case 'REFUNDED':
    case 'PARTIAL_REFUNDED':
      return seen === state;
    case 'FAILED':
    case 'CANCELED':
    case 'REVOKED':
      return seen !== undefined && SETTLED_NOT_PAID.includes(seen);
    case 'SETTLED_OUTSIDE':
      return true; // a person settled it off the gateway; its answer is kept beside the resolution (R7)
    case 'PAYING':
    case 'CONFIRMING':
    case 'CANCELING':
    case 'REVOKING':
    case 'NEEDS_ATTENTION':
      return false;
    default:
      return unreachable(state);
  }
}

/**
 * The check before close, for a late or doubtful outcome and for every operator resolution: the
 * gateway must agree. PAID needs a PAID order; FAILED, CANCELED and REVOKED an order that settled
 * keeping nothing; REFUNDED and PARTIAL_REFUNDED that status. An order still in flight or an
 * unknown answer goes back to a person (the gateway cancels unpaid orders within minutes, so by the
 * close of the day its answer is final).
 */
export function disagreesAtClose(
  state: PaymentState,
  q: GatewayCallResult,
  aboutAnotherOrder?: string,
  payCreatedNothing = false,
  refunds?: RefundsTold,
): string | undefined {
  // An answer about another order (R1) counts for nothing, except after CLIENT_SN_CONFLICT: our pay
  // created nothing, so that order is the only one under our client_sn and ours does not exist.
  if (aboutAnotherOrder) return payCreatedNothing && agreesAtClose(state, 'NOT_FOUND') ? undefined : aboutAnotherOrder;
  if (state === 'PAID' && refunds && refunds.refundedFen > 0) return disagreesWithRefunds(q, refunds);
  const seen = orderNotFound(q) ? 'NOT_FOUND' : knownStatus(q);
  if (agreesAtClose(state, seen)) return undefined;
  const shown = seen === undefined ? 'unknown' : seen === 'UNLISTED' ? q.order?.orderStatus : seen;
  const told = refunds && refunds.told.length > 0 ? `; refunds told: ${refunds.told}` : '';
  return `order is ${shown} at the gateway at close, but the payment is ${state}${told}`;
}

/**
 * The refunds of its order a PAID payment was told of (issue #16 part 3): what they gave back in total
 * (REFUNDED ones only), and the list in words for the person who looks.
 */
export interface RefundsTold {
  refundedFen: number;
  amountFen: number;
  /** e.g. `R1 ¥5.00 REFUNDED, R2 ¥3.00 REFUSED`. */
  told: string;
}

/** What the gateway must show for a PAID payment whose refunds gave back `refundedFen`. */
export function expectedWithRefunds(r: Pick<RefundsTold, 'refundedFen' | 'amountFen'>): {
  orderStatus: 'PAID' | 'PARTIAL_REFUNDED' | 'REFUNDED';
  netAmountFen: number;
} {
  const netAmountFen = Math.max(0, r.amountFen - r.refundedFen);
  if (r.refundedFen <= 0) return { orderStatus: 'PAID', netAmountFen };
  return { orderStatus: netAmountFen === 0 ? 'REFUNDED' : 'PARTIAL_REFUNDED', netAmountFen };
}

/**
 * A PAID payment told of refunds that gave money back: the gateway must show exactly that, its status
 * and (when it says) its net_amount. A refund the payment was not told of shows as a smaller net amount
 * and stays a disagreement (R7): the payment never calls books it cannot explain "agreed".
 */
function disagreesWithRefunds(q: GatewayCallResult, refunds: RefundsTold): string | undefined {
  const want = expectedWithRefunds(refunds);
  const seen = orderNotFound(q) ? 'NOT_FOUND' : knownStatus(q);
  const net = q.order?.netAmountFen;
  if (seen === want.orderStatus && (net === undefined || net === want.netAmountFen)) return undefined;
  const shown = seen === undefined ? 'unknown' : seen === 'UNLISTED' ? q.order?.orderStatus : seen;
  const seenNet = net === undefined ? '' : ` (net ${yuan(net)})`;
  return (
    `order is ${shown}${seenNet} at the gateway at close, but the payment is PAID with ${yuan(refunds.refundedFen)} ` +
    `refunded by the refunds it was told of (${want.orderStatus}, net ${yuan(want.netAmountFen)} expected; ` +
    `refunds told: ${refunds.told})`
  );
}

// --- recheck (an operator was told the money moved) ---

export type RecheckDecision = Next<'AGREES' | 'UNCLEAR' | 'RECORD'> | Escalate;

/**
 * A recheck's query once the payment has its outcome (the hold phase), judged as the check at
 * close judges it: the gateway must show what the state says. A disagreement goes to a person at
 * once; an answer without a definite order status changes nothing (a network blip is no news); on
 * NEEDS_ATTENTION and SETTLED_OUTSIDE the answer is only recorded for the person.
 */
export function afterRecheckQuery(
  state: PaymentState,
  q: GatewayCallResult,
  aboutAnotherOrder?: string,
  payCreatedNothing = false,
  refunds?: RefundsTold & { inFlight: boolean },
): RecheckDecision {
  if (state === 'NEEDS_ATTENTION' || state === 'SETTLED_OUTSIDE') return { next: 'RECORD' };
  // A refund told of and not concluded may be moving the books right now: the check at close judges them.
  if (refunds?.inFlight && !aboutAnotherOrder) return { next: 'RECORD' };
  if (!aboutAnotherOrder && !orderNotFound(q) && knownStatus(q) === undefined) return { next: 'UNCLEAR' };
  const disagreement = disagreesAtClose(state, q, aboutAnotherOrder, payCreatedNothing, refunds);
  return disagreement ? escalate(disagreement) : { next: 'AGREES' };
}

// --- hold (after the outcome, until the revoke window closes) ---

/** What the hold phase does next; each step changes something, then the phase asks again. */
export type HoldStep =
  | 'RECHECK' // an operator asked for a recheck: query now, before anything else
  | 'AWAIT_RESOLUTION' // NEEDS_ATTENTION: wait for a person's resolve, then apply it
  | 'REFUSE_REVOKE' // a revoke is pending on a PAID payment told of a refund: refused, nothing sent
  | 'REVOKE' // a revoke is pending, the payment is PAID and the window open: carry it out
  | 'SET_REVOKE_ASIDE' // a revoke is pending but cannot run (not PAID, or the window closed)
  | 'WAIT' // until a revoke arrives or the revoke window closes
  | 'AWAIT_REFUNDS' // the window has closed on a PAID payment with a refund told of and not concluded: wait for it
  | 'CHECK_AT_CLOSE' // the window has closed: ask the gateway to confirm a late or resolved state
  | 'CLOSE';

export interface HoldView {
  state: PaymentState;
  revokePending: boolean;
  revokeWindowOpen: boolean;
  closeCheckNeeded: boolean;
  recheckPending?: boolean;
  /** A refund the payment was told of forbids a revoke (REFUNDING, REFUNDED, NEEDS_ATTENTION, SETTLED_OUTSIDE). */
  revokeBlockedByRefund?: boolean;
  /** A refund told of has not concluded, and the wait for it at close is not over. */
  refundsToAwait?: boolean;
}

/** The hold phase's order of business, in one place: a recheck first, then a person, then a revoke, then the window, then the check. */
export function nextHoldStep(h: HoldView): HoldStep {
  if (h.recheckPending) return 'RECHECK';
  if (h.state === 'NEEDS_ATTENTION') return 'AWAIT_RESOLUTION';
  if (h.revokePending && h.state === 'PAID' && h.revokeBlockedByRefund) return 'REFUSE_REVOKE';
  if (h.revokePending) return h.state === 'PAID' && h.revokeWindowOpen ? 'REVOKE' : 'SET_REVOKE_ASIDE';
  if (h.revokeWindowOpen) return 'WAIT';
  if (h.closeCheckNeeded && h.state === 'PAID' && h.refundsToAwait) return 'AWAIT_REFUNDS';
  if (h.closeCheckNeeded) return 'CHECK_AT_CLOSE';
  return 'CLOSE';
}

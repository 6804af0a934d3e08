/**
 * The refund's decision table as pure functions: what each gateway answer means for the next step. No
 * Temporal API here, so every row is unit-tested without a server (test/unit/refund-decisions.test.ts);
 * the README's refund table mirrors it.
 */
import { unreachable } from './decisions';
import { refundNoOf } from './refund-types';
import type { GatewayCallResult } from './types';
import { isOrderNotFound, listedOrderStatus } from './vocabulary';

/** What the refund knows of its order: as asked for, then pinned by the look (sn and total). */
export interface RefundTarget {
  terminalSn: string;
  clientSn?: string;
  sn?: string;
  /** The order's total as the look saw it: later answers must name the same order (R1). */
  totalAmountFen?: number;
  refundRequestNo: string;
}

const yuan = (fen: number | undefined) => (fen === undefined ? '?' : `¥${(fen / 100).toFixed(2)}`);

/**
 * Why an answer is about another order than the refund's (money rules R1): a different client_sn, sn,
 * terminal (when the answer names one) or total; or, for a refund's own answer, another refund_request_no
 * (reference §8.3: "refund_request_no does not match" → a person). Undefined when it names no order, or
 * ours. (A query may name the order's last refund, whatever its number: that is no mismatch.)
 */
export function notOurs(target: RefundTarget, answer: GatewayCallResult): string | undefined {
  const o = answer.order;
  if (!o) return undefined;
  const differs =
    (target.clientSn !== undefined && o.clientSn !== target.clientSn) ||
    (target.sn !== undefined && o.sn !== target.sn) ||
    (o.terminalSn !== undefined && o.terminalSn !== target.terminalSn) ||
    (target.totalAmountFen !== undefined &&
      o.totalAmountFen !== undefined &&
      o.totalAmountFen !== target.totalAmountFen);
  const otherRefund =
    answer.operation === 'refund' && refundNoOf(answer) !== undefined && refundNoOf(answer) !== target.refundRequestNo;
  if (!differs && !otherRefund) return undefined;
  const what = differs ? 'another order' : `another refund (refund_request_no ${refundNoOf(answer)})`;
  return (
    `the ${answer.operation} answer is about ${what} (sn ${o.sn}, client_sn ${o.clientSn}, terminal ` +
    `${o.terminalSn ?? '?'}, ${yuan(o.totalAmountFen)}, ${o.orderStatus}) than this refund (client_sn ` +
    `${target.clientSn ?? '?'}, sn ${target.sn ?? '?'}, terminal ${target.terminalSn}, refund_request_no ` +
    `${target.refundRequestNo})`
  );
}

/**
 * The answer shows this very refund done: it names our refund_request_no with flow status SUCCESS on a
 * refunded order (reference §8.3: success only if the refund shows and its number matches).
 */
export function showsOurRefund(answer: GatewayCallResult, refundRequestNo: string): boolean {
  const o = answer.order;
  if (answer.kind !== 'success' || !o) return false;
  const refunded = o.orderStatus === 'REFUNDED' || o.orderStatus === 'PARTIAL_REFUNDED';
  return refunded && refundNoOf(answer) === refundRequestNo && o.flowStatus === 'SUCCESS';
}

// --- look (before anything is sent) ---

export type LookDecision =
  | { next: 'SEND'; sn: string; totalAmountFen?: number; netAmountFen: number; orderStatus: string }
  /** The refund cannot be made: nothing is sent. A check by refund number follows (already done?). */
  | { next: 'REFUSE'; code: string; detail: string }
  | { next: 'LOOK_AGAIN'; why: string };

/**
 * Look first: only our order (checked by the caller, notOurs), PAID or PARTIAL_REFUNDED, with a
 * net_amount of at least the refund, gets a refund. A definite "no" (no such order, reversed, fully
 * refunded, not enough left) refuses with the reference's code for it; anything unsettled (CREATED,
 * a refund or reversal in flight, an error state, no answer) is looked at again on the schedule.
 */
export function afterLook(look: GatewayCallResult, amountFen: number): LookDecision {
  if (look.kind === 'definite_failure' && isOrderNotFound(look.errorCode))
    return { next: 'REFUSE', code: look.errorCode ?? 'UPAY_ORDER_NOT_EXISTS', detail: 'look: no such order' };
  const o = look.order;
  if ((look.kind !== 'success' && look.kind !== 'in_progress') || !o)
    return { next: 'LOOK_AGAIN', why: `look: no usable answer (${look.reason})` };
  const status = listedOrderStatus(o.orderStatus);
  switch (status) {
    case 'PAID':
    case 'PARTIAL_REFUNDED': {
      const net = o.netAmountFen ?? (status === 'PAID' ? o.totalAmountFen : undefined);
      if (net === undefined) return { next: 'LOOK_AGAIN', why: `look: ${status} without net_amount` };
      if (amountFen > net)
        return {
          next: 'REFUSE',
          code: 'REFUNDABLE_AMOUNT_NOT_ENOUGH',
          detail: `look: ${yuan(amountFen)} asked, the order's net_amount is ${yuan(net)}`,
        };
      return {
        next: 'SEND',
        sn: o.sn,
        netAmountFen: net,
        orderStatus: status,
        ...(o.totalAmountFen !== undefined ? { totalAmountFen: o.totalAmountFen } : {}),
      };
    }
    case 'REFUNDED':
    case 'CANCELED':
    case 'PAY_CANCELED':
      return { next: 'REFUSE', code: 'UPAY_REFUND_INVALID_ORDER_STATE', detail: `look: the order is ${status}` };
    case 'CREATED':
    case 'REFUND_INPROGRESS':
    case 'CANCEL_INPROGRESS':
    case 'PAY_ERROR':
    case 'REFUND_ERROR':
    case 'CANCEL_ERROR':
    case 'INVALID_STATUS_CODE':
    case 'UNLISTED':
    case undefined:
      return { next: 'LOOK_AGAIN', why: `look: the order is ${o.orderStatus}` };
    default:
      return unreachable(status);
  }
}

// --- refund, retried with the same refund_request_no ---

/** What the refund knows of its own earlier attempts (money rules R3, applied to refunds). */
export interface RefundDoubt {
  /** An earlier attempt without a definite answer may still take effect now. */
  inDoubt: boolean;
  /** Some attempt of this refund had no definite answer (it may have landed, even if its doubt is over). */
  everInDoubt: boolean;
}

export type RefundDecision =
  | { next: 'REFUNDED' }
  | { next: 'REFUSED'; code: string }
  /** No definite answer: query by refund_request_no, then decide (afterRefundCheck). */
  | { next: 'CHECK'; refusal?: string };

/**
 * A refund's own answer: REFUND_SUCCESS → REFUNDED. A refusal the reference lists is final only if no
 * attempt of this refund was ever in doubt: one whose answer was lost may have landed, and the gateway
 * may then refuse the same number ("一笔退款不能重复使用退款序列号"). Everything else is checked by query.
 */
export function afterRefund(answer: GatewayCallResult, doubt: RefundDoubt): RefundDecision {
  switch (answer.kind) {
    case 'success':
      return { next: 'REFUNDED' };
    case 'definite_failure': {
      const code = answer.errorCode ?? answer.reason;
      return doubt.everInDoubt ? { next: 'CHECK', refusal: code } : { next: 'REFUSED', code };
    }
    case 'in_progress':
    case 'unknown':
      return { next: 'CHECK' };
    default:
      return unreachable(answer.kind);
  }
}

export type RefundCheckDecision =
  { next: 'REFUNDED' } | { next: 'REFUND_AGAIN' } | { next: 'ESCALATE'; reason: string };

/**
 * The query after a refund without a definite answer: this refund shows done → REFUNDED. A refusal that
 * came after an attempt in doubt, once that doubt is over and the refund still does not show: a person
 * (the earlier attempt may have moved the money; the refusal proves nothing). Otherwise the refund is
 * sent again, same refund_request_no, on the schedule.
 */
export function afterRefundCheck(
  check: GatewayCallResult,
  refundRequestNo: string,
  refusal: string | undefined,
  doubt: RefundDoubt,
): RefundCheckDecision {
  if (showsOurRefund(check, refundRequestNo)) return { next: 'REFUNDED' };
  if (refusal !== undefined && !doubt.inDoubt)
    return {
      next: 'ESCALATE',
      reason:
        `refund refused (${refusal}) after an earlier attempt without a definite answer, and the gateway ` +
        'does not show this refund: it may or may not have moved the money',
    };
  return { next: 'REFUND_AGAIN' };
}

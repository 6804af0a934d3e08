import type { BizResponseWire, RefundRequestWire } from '../activities/gateway/models';
import { fail } from './actions';
import { SHANGHAI_OFFSET_MS } from './clock';
import type { Order, RefundRecord } from './order-model';
import type { PendingEffects } from './pending-effects';
import { moveTo, orderData, withRefund } from './order-model';
import { settleIfDue } from './settlement';

/**
 * refund (reference §4.6, §6.3): any number of partial refunds of a PAID / PARTIAL_REFUNDED order until its
 * net_amount is 0, within three months of the payment. Idempotent by refund_request_no. Pure: `now` is an
 * argument. The knobs that delay, lose or garble a refund are in refund-steps.ts and slow-refunds.ts.
 */

/** A refund request as the simulator keeps it (the wire request plus the optional DOC-M `client_tsn`). */
export type RefundRequest = RefundRequestWire & { client_tsn?: string };

/** "订单已全额退款,可退金额不足": the doc's example text for a refund of a fully refunded order (§4.6). */
const FULLY_REFUNDED = '订单已全额退款,可退金额不足';

/** The state machine, unless a reversal the gateway accepted is still to land (our guess: refused meanwhile). */
export function refundNormally(
  pending: Pick<PendingEffects, 'reversalAccepted'>,
  order: Order,
  req: RefundRequest,
  now: number,
): BizResponseWire {
  if (pending.reversalAccepted(order.sn) && !isKnown(order, req)) return fail('UPAY_REFUND_INVALID_ORDER_STATE');
  return refund(order, req, now);
}

/** A refund_request_no the order has seen, pending or landed (a failed one may be tried again). */
export function isKnown(order: Order, req: RefundRequest): boolean {
  const previous = order.refunds.get(req.refund_request_no);
  return previous !== undefined && previous.state !== 'failed';
}

/** Runs a refund at once: the answer, and the money moved when accepted. */
export function refund(order: Order, req: RefundRequest, now: number): BizResponseWire {
  const answer = refundCheck(order, req, now);
  if (answer) return answer;
  const record = acceptRefund(order, req, now, false);
  landRefund(order, record, now);
  return { result_code: 'REFUND_SUCCESS', data: withRefund(orderData(order), record) };
}

/**
 * The answer a refund gets without being accepted: a repeat of a known refund_request_no, or a refusal.
 * Undefined = the refund is acceptable now.
 */
export function refundCheck(order: Order, req: RefundRequest, now: number): BizResponseWire | undefined {
  settleIfDue(order, now);
  const amountFen = Number(req.refund_amount);
  const previous = order.refunds.get(req.refund_request_no);
  // A failed refund moved nothing: its number may be tried again (our guess).
  if (previous && isKnown(order, req)) {
    // "一笔退款不能重复使用退款序列号，不然退款会失败" (§4.6 FAQ): another refund under a used number fails.
    if (previous.amountFen !== amountFen) return fail('UPAY_REFUND_ORDER_NOOP');
    if (previous.state === 'pending') {
      return { result_code: 'REFUND_IN_PROGRESS', data: withRefund(orderData(order), previous) };
    }
    // The reference allows either answer for a repeat of a completed refund (§6.3); `refundRepeat` picks.
    if (order.scenario.refundRepeat === 'noop') return fail('UPAY_REFUND_ORDER_NOOP');
    return { result_code: 'REFUND_SUCCESS', data: withRefund(orderData(order), previous) };
  }
  if (order.status === 'REFUNDED') return fail('UPAY_REFUND_INVALID_ORDER_STATE', FULLY_REFUNDED);
  if (order.status !== 'PAID' && order.status !== 'PARTIAL_REFUNDED') return fail('UPAY_REFUND_INVALID_ORDER_STATE');
  if (order.paidAt !== undefined && now >= refundDeadline(order.paidAt)) return fail('UPAY_REFUND_INVALID_ORDER_STATE');
  if (amountFen > refundableFen(order)) return fail('REFUNDABLE_AMOUNT_NOT_ENOUGH');
  return undefined;
}

/** What can still be refunded: total − landed − accepted but not landed (so refunds in flight never overlap). */
export function refundableFen(order: Order): number {
  let pendingFen = 0;
  for (const r of order.refunds.values()) if (r.state === 'pending') pendingFen += r.amountFen;
  return order.totalFen - order.refundedFen - pendingFen;
}

/**
 * Accepts a checked refund: recorded as pending, nothing moved yet. `visible`: queries show the order as
 * REFUND_INPROGRESS / REFUND_ERROR (`meanwhile`) until it lands; otherwise they show the order unchanged.
 */
export function acceptRefund(
  order: Order,
  req: RefundRequest,
  now: number,
  visible: boolean,
  meanwhile: 'REFUND_INPROGRESS' | 'REFUND_ERROR' = 'REFUND_INPROGRESS',
): RefundRecord {
  const record: RefundRecord = {
    refundRequestNo: req.refund_request_no,
    amountFen: Number(req.refund_amount),
    clientTsn: req.client_tsn ?? `${order.clientSn}-${req.refund_request_no}`,
    state: 'pending',
    requestedAt: now,
    visibleWhilePending: visible,
  };
  // Re-inserted so the map's order is the order refunds were accepted in.
  order.refunds.delete(req.refund_request_no);
  order.refunds.set(req.refund_request_no, record);
  order.operator = req.operator;
  if (visible) {
    order.flowStatus = meanwhile === 'REFUND_ERROR' ? 'REFUND_ERROR' : 'IN_PROG';
    moveTo(order, meanwhile, 'refund', now);
  }
  return record;
}

/**
 * The refund takes effect: the money goes back once, PARTIAL_REFUNDED or REFUNDED. On an order that can no
 * longer take it (reversed meanwhile, or not enough left) it fails instead and nothing moves.
 */
export function landRefund(order: Order, record: RefundRecord, at: number): void {
  if (record.state !== 'pending') return;
  const refundable = ['PAID', 'PARTIAL_REFUNDED', 'REFUND_INPROGRESS', 'REFUND_ERROR'].includes(order.status);
  if (!refundable || record.amountFen > order.totalFen - order.refundedFen) return failRefund(order, record, at);
  record.state = 'landed';
  record.settledAt = at;
  order.refundedFen += record.amountFen;
  order.flowStatus = 'SUCCESS';
  order.finishTime = at;
  order.channelFinishTime = at;
  order.movements.push({ at, kind: 'refund', amount_fen: record.amountFen, refund_request_no: record.refundRequestNo });
  if (order.status === 'REFUND_INPROGRESS' || order.status === 'REFUND_ERROR') {
    if (visibleRefundPending(order)) return;
  }
  moveTo(order, order.refundedFen === order.totalFen ? 'REFUNDED' : 'PARTIAL_REFUNDED', 'refund', at);
}

/** The channel refused the refund in the end: nothing moved; the order shows what it showed before. */
export function failRefund(order: Order, record: RefundRecord, at: number): void {
  if (record.state !== 'pending') return;
  record.state = 'failed';
  record.settledAt = at;
  // A refund queries never showed leaves the order as it was; a query by its number says REFUND_ERROR.
  if (!record.visibleWhilePending) return;
  order.flowStatus = 'REFUND_ERROR';
  const shown = order.status === 'REFUND_INPROGRESS' || order.status === 'REFUND_ERROR';
  if (!shown || visibleRefundPending(order)) return;
  moveTo(order, order.refundedFen > 0 ? 'PARTIAL_REFUNDED' : 'PAID', 'refund-failed', at);
}

function visibleRefundPending(order: Order): boolean {
  for (const r of order.refunds.values()) if (r.state === 'pending' && r.visibleWhilePending) return true;
  return false;
}

/**
 * The end of the refund window: three calendar months after the payment, Asia/Shanghai, the day clamped to the
 * month's last day (30 Nov → 28/29 Feb). "退款期限为3个月" (§4.6, S1); where the exact boundary lies is our guess.
 */
export function refundDeadline(paidAt: number): number {
  const d = new Date(paidAt + SHANGHAI_OFFSET_MS);
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth() + 3;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  const day = Math.min(d.getUTCDate(), lastDay);
  const local = Date.UTC(
    year,
    month,
    day,
    d.getUTCHours(),
    d.getUTCMinutes(),
    d.getUTCSeconds(),
    d.getUTCMilliseconds(),
  );
  return local - SHANGHAI_OFFSET_MS;
}

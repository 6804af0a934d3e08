import type { BizResponseWire, RefundRequestWire } from '../activities/gateway/models';
import { fail } from './actions';
import type { Order } from './order-model';
import { moveTo, orderData } from './order-model';
import { settleIfDue } from './settlement';

/**
 * refund: partial or full on PAID / PARTIAL_REFUNDED. Idempotent by refund_request_no: a repeat with the same
 * amount echoes REFUND_SUCCESS without moving money; a repeat with another amount is UPAY_REFUND_ORDER_NOOP.
 */
export function refund(order: Order, req: RefundRequestWire, now: number): BizResponseWire {
  settleIfDue(order, now);
  const amountFen = Number(req.refund_amount);
  const previous = order.refunds.get(req.refund_request_no);
  if (previous) {
    if (previous.amountFen !== amountFen) return fail('UPAY_REFUND_ORDER_NOOP');
    return success(order, req.refund_request_no);
  }
  if (order.status !== 'PAID' && order.status !== 'PARTIAL_REFUNDED') {
    return fail('UPAY_REFUND_INVALID_ORDER_STATE');
  }
  if (amountFen > order.totalFen - order.refundedFen) return fail('REFUNDABLE_AMOUNT_NOT_ENOUGH');
  order.refunds.set(req.refund_request_no, { amountFen, at: now });
  order.refundedFen += amountFen;
  order.lastRefundNo = req.refund_request_no;
  order.operator = req.operator;
  order.flowStatus = 'SUCCESS';
  order.finishTime = now;
  order.channelFinishTime = now;
  order.movements.push({ at: now, kind: 'refund', amount_fen: amountFen });
  moveTo(order, order.refundedFen === order.totalFen ? 'REFUNDED' : 'PARTIAL_REFUNDED', 'refund', now);
  return success(order, req.refund_request_no);
}

function success(order: Order, refundRequestNo: string): BizResponseWire {
  return { result_code: 'REFUND_SUCCESS', data: { ...orderData(order), refund_request_no: refundRequestNo } };
}

import type { BizResponseWire } from '../activities/gateway/models';
import { shanghaiDay } from './clock';
import { messageFor } from './messages';
import type { Order } from './order-model';
import { moveTo, orderData, refundUnderway } from './order-model';
import { markPaid, markPayCanceled, markPayError, settleIfDue } from './settlement';

/** The upay state machine (reference §6.3) for pay, query, cancel and revoke. Pure: `now` is an argument. */

export function fail(errorCode: string, errorMessage = messageFor(errorCode)): BizResponseWire {
  return { result_code: 'FAIL', error_code: errorCode, error_message: errorMessage };
}

export const ORDER_NOT_EXISTS = (): BizResponseWire => fail('UPAY_ORDER_NOT_EXISTS');

export function clientSnConflict(clientSn: string): BizResponseWire {
  return fail('CLIENT_SN_CONFLICT', `client_sn ${clientSn} 在系统中已经存在`);
}

/** Ends the pay phase: applies the scenario's result unless a cancel already moved the order on. */
export function completePay(order: Order, now: number): void {
  order.holding = false;
  if (order.status !== 'CREATED') return;
  const pay = order.scenario.pay ?? {};
  switch (pay.result ?? 'PAY_SUCCESS') {
    case 'PAY_SUCCESS':
      return markPaid(order, now, 'pay');
    case 'PAY_FAIL':
      return markPayCanceled(order, now, pay.errorCode ?? 'EXPIRED_BARCODE', 'pay');
    case 'PAY_FAIL_ERROR':
      return markPayError(order, now, pay.errorCode ?? 'UNEXPECTED_PROVIDER_ERROR', 'pay');
    default:
      return settleIfDue(order, now);
  }
}

/** The pay answer for the order's current state. */
export function payAnswer(order: Order): BizResponseWire {
  const data = orderData(order);
  switch (order.status) {
    case 'PAID':
      return { result_code: 'PAY_SUCCESS', data };
    case 'CREATED': {
      const inProgress =
        order.scenario.pay?.result === 'PAY_FAIL_IN_PROGRESS' ? 'PAY_FAIL_IN_PROGRESS' : 'PAY_IN_PROGRESS';
      return { result_code: inProgress, data };
    }
    case 'PAY_ERROR':
      return withError('PAY_FAIL_ERROR', order.errorCode ?? 'UNEXPECTED_PROVIDER_ERROR', data);
    default:
      // PAY_CANCELED, or CANCELED when a cancel aborted the held pay with abortTo CANCELED.
      return withError('PAY_FAIL', order.errorCode ?? 'TRADE_FAILED', data);
  }
}

export function query(order: Order, now: number): BizResponseWire {
  order.queries += 1;
  settleIfDue(order, now);
  return { result_code: 'SUCCESS', data: orderData(order) };
}

/**
 * cancel (自动撤单): aborts a CREATED (or PAY_ERROR) pay, reverses a PAID order paid today and never refunded.
 * Any PAY_CANCELED or CANCELED order is a no-op, whoever cancelled it.
 */
export function cancel(order: Order, now: number): BizResponseWire {
  settleIfDue(order, now);
  switch (order.status) {
    case 'CREATED':
    case 'PAY_ERROR':
      abortPay(order, now);
      return { result_code: 'CANCEL_ABORT_SUCCESS', data: orderData(order) };
    case 'PAID':
      return reverse(order, now, 'cancel');
    case 'PAY_CANCELED':
    case 'CANCELED':
      return fail('UPAY_CANCEL_ORDER_NOOP');
    default:
      return fail('UPAY_CANCEL_INVALID_ORDER_STATE');
  }
}

/** revoke (手动撤单): only a PAID order, on its payment day, once, never after a refund. */
export function revoke(order: Order, now: number): BizResponseWire {
  settleIfDue(order, now);
  if (order.status === 'PAID') return reverse(order, now, 'revoke');
  if (order.status === 'CANCELED') return fail('UPAY_CANCEL_ORDER_NOOP');
  return fail('UPAY_CANCEL_INVALID_ORDER_STATE');
}

/** What a cancel/revoke would do to the order now: abort the pay, reverse the money, or nothing (refused). */
export function reversalKind(op: 'cancel' | 'revoke', order: Order, now: number): 'abort' | 'reverse' | undefined {
  settleIfDue(order, now);
  if (order.status === 'PAID') return paidToday(order, now) && !refundUnderway(order) ? 'reverse' : undefined;
  const abortable = order.status === 'CREATED' || order.status === 'PAY_ERROR';
  return op === 'cancel' && abortable ? 'abort' : undefined;
}

/** The pay is stopped: PAY_CANCELED, or the scenario's `abortTo`. */
export function abortPay(order: Order, now: number): void {
  order.flowStatus = 'SUCCESS';
  order.errorCode ??= 'TRADE_FAILED';
  order.finishTime = now;
  moveTo(order, order.scenario.abortTo ?? 'PAY_CANCELED', 'cancel', now);
}

/** The money goes back: CANCELED, net_amount 0. No day check: callers decided that already. */
export function reverseMoney(order: Order, now: number, cause: 'cancel' | 'revoke'): void {
  order.flowStatus = 'SUCCESS';
  order.finishTime = now;
  order.channelFinishTime = now;
  moveTo(order, 'CANCELED', cause, now);
}

function reverse(order: Order, now: number, cause: 'cancel' | 'revoke'): BizResponseWire {
  // "进行过退款的订单不能撤单": a refund still in flight counts (the order only shows PAID meanwhile).
  if (!paidToday(order, now) || refundUnderway(order)) return fail('UPAY_CANCEL_INVALID_ORDER_STATE');
  reverseMoney(order, now, cause);
  return { result_code: 'CANCEL_SUCCESS', data: orderData(order) };
}

function paidToday(order: Order, now: number): boolean {
  return order.paidAt !== undefined && shanghaiDay(order.paidAt) === shanghaiDay(now);
}

function withError(resultCode: string, errorCode: string, data: BizResponseWire['data']): BizResponseWire {
  const biz: BizResponseWire = { result_code: resultCode, error_code: errorCode, error_message: messageFor(errorCode) };
  if (data) biz.data = data;
  return biz;
}

import type { Order } from './order-model';
import { moveTo } from './order-model';

/**
 * Time- and query-driven moves of an order nobody is calling about: a scenario's `settle` rule, the gateway's
 * auto-cancel of unpaid orders, and the PAID / PAY_CANCELED / PAY_ERROR markings every path shares. Pure: time
 * comes in as an argument.
 */

/**
 * The gateway cancels an order nobody paid (TRADE_TIMEOUT, 交易超时自动撤单): 40 s in the Chinese
 * documents, 100 s in the English ones (reference §6); the simulator takes the later.
 */
export const UNPAID_AUTO_CANCEL_MS = 100_000;

/**
 * Applies a scenario's `settle` rule to a still-CREATED order once its time or query count is reached.
 * Never fires after a cancel moved the order on, nor while a held pay is still open.
 */
export function settleIfDue(order: Order, now: number): void {
  if (order.status !== 'CREATED' || order.holding) return;
  const rule = order.scenario.pay?.settle;
  if (rule) {
    const dueAt = rule.afterMs === undefined ? undefined : order.ctime + rule.afterMs;
    const byTime = dueAt !== undefined && now >= dueAt && dueAt < order.ctime + UNPAID_AUTO_CANCEL_MS;
    const byQueries = order.queries >= (rule.afterQueries ?? (rule.afterMs === undefined ? 1 : Infinity));
    if (byTime || byQueries) {
      const at = byTime && dueAt !== undefined ? dueAt : now;
      if (rule.to === 'PAID') markPaid(order, at, 'settle');
      else if (rule.to === 'PAY_CANCELED') markPayCanceled(order, at, rule.errorCode ?? 'TRADE_TIMEOUT', 'settle');
      else markPayError(order, at, rule.errorCode ?? 'UNEXPECTED_PROVIDER_ERROR', 'settle');
      return;
    }
  }
  const timeoutAt = order.ctime + UNPAID_AUTO_CANCEL_MS;
  if (now >= timeoutAt) markPayCanceled(order, timeoutAt, 'TRADE_TIMEOUT', 'auto-cancel');
}

export function markPaid(order: Order, at: number, cause: string): void {
  order.tradeNo = `42000${order.sn}`;
  order.flowStatus = 'SUCCESS';
  order.finishTime = at;
  order.channelFinishTime = at;
  moveTo(order, 'PAID', cause, at);
}

export function markPayCanceled(order: Order, at: number, errorCode: string, cause: string): void {
  order.flowStatus = 'FAIL_CANCELED';
  order.errorCode = errorCode;
  order.finishTime = at;
  moveTo(order, 'PAY_CANCELED', cause, at);
}

export function markPayError(order: Order, at: number, errorCode: string, cause: string): void {
  order.flowStatus = 'FAIL_ERROR';
  order.errorCode = errorCode;
  moveTo(order, 'PAY_ERROR', cause, at);
}

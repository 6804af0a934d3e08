import type { BizResponseWire } from '../activities/gateway/models';
import { abortPay, cancel, fail, reversalKind, reverseMoney, revoke } from './actions';
import { ok } from './envelopes';
import { messageFor } from './messages';
import type { Order } from './order-model';
import { moveTo, orderData } from './order-model';
import type { PendingEffects } from './pending-effects';
import type { Reply } from './replies';
import { markPaid, settleIfDue } from './settlement';
import type { SlowReversal } from './unfriendly-scenarios';

/**
 * Reversals the gateway accepts now and completes later (hostile timing): the answer may say in progress, say
 * success, or be lost, while queries go on showing the order as it was (or CANCEL_INPROGRESS) until it lands.
 */

type Op = 'cancel' | 'revoke';

export function acceptSlowReversal(pending: PendingEffects, op: Op, order: Order, now: number, step: SlowReversal) {
  settleIfDue(order, now);
  // The customer's payment lands just before this call is processed.
  if (step.paidFirst && order.status === 'CREATED') markPaid(order, now, 'customer-paid');
  const kind = reversalKind(op, order, now);
  if (!kind) return { envelope: ok(reverseNormally(pending, op, order, now)) };
  const delay = step.effectAfterMs ?? 0;
  const reply = step.reply ?? (delay > 0 ? 'in-progress' : 'success');
  // What the order will look like once reversed, for a "success" answer sent before the books show it.
  const preview: Order = { ...order, history: [], movements: [] };
  landReversal(preview, op, now);
  if (delay === 0) {
    landReversal(order, op, now);
  } else {
    if (step.meanwhile === 'CANCEL_INPROGRESS') {
      order.flowStatus = 'IN_PROG';
      moveTo(order, 'CANCEL_INPROGRESS', op, now);
    }
    pending.add({
      kind: op === 'cancel' ? 'slow-cancel' : 'slow-revoke',
      dueAt: now + delay,
      terminalSn: order.terminalSn,
      clientSn: order.clientSn,
      sn: order.sn,
      othersMeanwhile: step.othersMeanwhile ?? 'in-progress',
      land: (at) => landReversal(order, op, at),
    });
  }
  const success = kind === 'abort' ? 'CANCEL_ABORT_SUCCESS' : 'CANCEL_SUCCESS';
  if (reply === 'success') return { envelope: ok({ result_code: success, data: orderData(preview) }) };
  const inProgress = kind === 'abort' ? 'CANCEL_ABORT_IN_PROGRESS' : 'CANCEL_IN_PROGRESS';
  const envelope = ok({ result_code: inProgress, data: orderData(order) });
  return reply === 'in-progress' ? { envelope } : ({ envelope, fault: reply } satisfies Reply);
}

/**
 * An accepted reversal takes effect on whatever it finds: a PAID order is reversed (also one the customer paid
 * after the cancel was accepted), a pay still open is aborted; anything already settled is left alone.
 */
function landReversal(order: Order, op: Op, at: number): void {
  settleIfDue(order, at);
  const wasPaid = order.status === 'PAID' || (order.status === 'CANCEL_INPROGRESS' && order.paidAt !== undefined);
  if (wasPaid) return reverseMoney(order, at, op);
  if (order.status === 'CREATED' || order.status === 'PAY_ERROR' || order.status === 'CANCEL_INPROGRESS') {
    abortPay(order, at);
  }
}

/** The state machine, unless a slow reversal pending on the order decides how other reversals are answered. */
export function reverseNormally(pending: PendingEffects, op: Op, order: Order, now: number): BizResponseWire {
  settleIfDue(order, now);
  switch (pending.othersMeanwhile(order.sn)) {
    case 'in-progress':
      return { result_code: 'CANCEL_IN_PROGRESS', data: orderData(order) };
    case 'invalid-state':
      return fail('UPAY_CANCEL_INVALID_ORDER_STATE');
    case 'not-refundable':
      return {
        result_code: 'CANCEL_ERROR',
        error_code: 'UPAY_TCP_ORDER_NOT_REFUNDABLE',
        error_message: messageFor('UPAY_TCP_ORDER_NOT_REFUNDABLE'),
      };
    default:
      return op === 'cancel' ? cancel(order, now) : revoke(order, now);
  }
}

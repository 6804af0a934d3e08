import { ok } from './envelopes';
import type { Order } from './order-model';
import { orderData, withRefund } from './order-model';
import type { PendingEffects } from './pending-effects';
import type { RefundRequest } from './refunds';
import { acceptRefund, failRefund, isKnown, landRefund, refundCheck, refundNormally } from './refunds';
import type { Reply } from './replies';
import type { SlowRefund } from './unfriendly-scenarios';

/**
 * Refunds the gateway accepts now and settles later (REFUND_IN_PROGRESS → PARTIAL_REFUNDED / REFUNDED, or
 * failed): the answer may say in progress, success or error, or be lost, while queries go on showing the order
 * as it was (or REFUND_INPROGRESS / REFUND_ERROR) until it lands.
 */
export function acceptSlowRefund(
  pending: PendingEffects,
  order: Order,
  req: RefundRequest,
  now: number,
  step: SlowRefund,
): Reply {
  // Repeats and refusals are answered as usual; only an acceptable refund is scheduled.
  if (isKnown(order, req) || pending.reversalAccepted(order.sn))
    return { envelope: ok(refundNormally(pending, order, req, now)) };
  const refused = refundCheck(order, req, now);
  if (refused) return { envelope: ok(refused) };
  const delay = step.effectAfterMs ?? 0;
  const meanwhile = step.meanwhile ?? 'unchanged';
  const visible = delay > 0 && meanwhile !== 'unchanged';
  const record = acceptRefund(order, req, now, visible, meanwhile === 'REFUND_ERROR' ? 'REFUND_ERROR' : undefined);
  const failed = step.outcome === 'failed';
  // What the order will look like once settled, for a "success" answer sent before the books show it.
  const previewRecord = { ...record };
  const preview: Order = { ...order, history: [], movements: [], refunds: new Map(order.refunds) };
  preview.refunds.set(record.refundRequestNo, previewRecord);
  landRefund(preview, previewRecord, now);
  const settle = (o: Order, at: number): void => (failed ? failRefund(o, record, at) : landRefund(o, record, at));
  if (delay === 0) {
    settle(order, now);
  } else {
    pending.add({
      kind: 'slow-refund',
      dueAt: now + delay,
      terminalSn: order.terminalSn,
      clientSn: order.clientSn,
      sn: order.sn,
      refundRequestNo: record.refundRequestNo,
      land: (at) => settle(order, at),
    });
  }
  const reply = step.reply ?? (delay > 0 ? 'in-progress' : 'success');
  if (reply === 'success') {
    return { envelope: ok({ result_code: 'REFUND_SUCCESS', data: withRefund(orderData(preview), previewRecord) }) };
  }
  if (reply === 'error') return { envelope: ok({ result_code: 'REFUND_ERROR' }) };
  const envelope = ok({ result_code: 'REFUND_IN_PROGRESS', data: withRefund(orderData(order), record) });
  return reply === 'in-progress' ? { envelope } : { envelope, fault: reply };
}

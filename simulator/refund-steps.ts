import type { BizResponseWire } from '../activities/gateway/models';
import { ok } from './envelopes';
import { oddReply } from './odd-answers';
import type { Order } from './order-model';
import type { PendingEffects } from './pending-effects';
import type { RefundRequest } from './refunds';
import { refundNormally } from './refunds';
import type { Reply } from './replies';
import { lostReply, nextStep, withFault } from './replies';
import type { ForcedRefundAnswer } from './scenarios';
import { acceptSlowRefund } from './slow-refunds';
import type { LateArrival } from './unfriendly-scenarios';

/** Consumes the next refund step if it holds the request: how long to hold it before it runs normally. */
export function takeRefundHold(order: Order): number | undefined {
  const next = order.scenario.refund?.[order.steps.refund];
  if (typeof next !== 'object' || !('holdMs' in next)) return undefined;
  order.steps.refund += 1;
  return next.holdMs;
}

/** One refund call on an order: the next step of its scenario, or the refund state machine. */
export function refundCall(pending: PendingEffects, order: Order, req: RefundRequest, now: number): Reply {
  const step = nextStep(order.scenario.refund, order.steps, 'refund');
  const normally = (): BizResponseWire => refundNormally(pending, order, req, now);
  if (step === 'normal' || (typeof step === 'object' && 'holdMs' in step)) return { envelope: ok(normally()) };
  if (typeof step === 'string') return { envelope: ok({ result_code: step }) };
  if ('answer' in step) return { envelope: ok(forced(step)) };
  if ('odd' in step) return oddReply(step.odd, order, normally);
  if ('lateMs' in step) return arriveLate(pending, order, req, now, step);
  if ('fault' in step) {
    if (step.commit === false) return lostReply(step.fault);
    return withFault(ok(normally()), step.fault);
  }
  return acceptSlowRefund(pending, order, req, now, step);
}

/** A forced answer refunds nothing and carries no data. */
function forced(step: { answer: ForcedRefundAnswer; errorCode?: string; errorMessage?: string }): BizResponseWire {
  const biz: BizResponseWire = { result_code: step.answer };
  if (step.errorCode !== undefined) biz.error_code = step.errorCode;
  if (step.errorMessage !== undefined) biz.error_message = step.errorMessage;
  return biz;
}

/**
 * The refund waits in a queue: its answer is lost now and it runs `lateMs` later against the order as it is
 * then. A retry with the same refund_request_no that got there first makes it a repeat: nothing moves twice.
 */
function arriveLate(pending: PendingEffects, order: Order, req: RefundRequest, now: number, step: LateArrival) {
  pending.add({
    kind: 'late-refund',
    dueAt: now + step.lateMs,
    terminalSn: order.terminalSn,
    clientSn: order.clientSn,
    sn: order.sn,
    refundRequestNo: req.refund_request_no,
    land: (at) => void refundNormally(pending, order, req, at),
  });
  return lostReply(step.fault ?? 'hang');
}

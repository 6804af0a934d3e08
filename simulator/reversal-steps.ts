import type { BizResponseWire } from '../activities/gateway/models';
import { ok } from './envelopes';
import { oddReply } from './odd-answers';
import type { Order } from './order-model';
import type { PendingEffects } from './pending-effects';
import type { Reply } from './replies';
import { lostReply, nextStep, withFault } from './replies';
import type { ForcedCancelAnswer } from './scenarios';
import { acceptSlowReversal, reverseNormally } from './slow-reversals';
import type { LateArrival } from './unfriendly-scenarios';

/** One cancel/revoke call on an order: the next step of its scenario, or the state machine. */
export function reversalCall(pending: PendingEffects, op: 'cancel' | 'revoke', order: Order, now: number): Reply {
  const step = nextStep(order.scenario[op], order.steps, op);
  const normally = (): BizResponseWire => reverseNormally(pending, op, order, now);
  if (step === 'normal' || step === 'CANCEL_SUCCESS' || step === 'CANCEL_ABORT_SUCCESS') {
    return { envelope: ok(normally()) };
  }
  if (typeof step === 'string') return { envelope: ok({ result_code: step }) };
  if ('answer' in step) return { envelope: ok(forced(step)) };
  if ('odd' in step) return oddReply(step.odd, order, normally);
  if ('lateMs' in step) return arriveLate(pending, op, order, now, step);
  if ('fault' in step) {
    if (step.commit === false) return lostReply(step.fault);
    return withFault(ok(normally()), step.fault);
  }
  return acceptSlowReversal(pending, op, order, now, step);
}

/** A forced answer leaves the order unchanged and carries no data. */
function forced(step: { answer: ForcedCancelAnswer; errorCode?: string; errorMessage?: string }): BizResponseWire {
  const biz: BizResponseWire = { result_code: step.answer };
  if (step.errorCode !== undefined) biz.error_code = step.errorCode;
  if (step.errorMessage !== undefined) biz.error_message = step.errorMessage;
  return biz;
}

/**
 * The call waits in a queue: its answer is lost now and it runs `lateMs` later against the order as it is then
 * (a cancel that reaches a PAID order then reverses it, whatever the client concluded meanwhile).
 */
function arriveLate(pending: PendingEffects, op: 'cancel' | 'revoke', order: Order, now: number, step: LateArrival) {
  pending.add({
    kind: op === 'cancel' ? 'late-cancel' : 'late-revoke',
    dueAt: now + step.lateMs,
    terminalSn: order.terminalSn,
    clientSn: order.clientSn,
    sn: order.sn,
    land: (at) => void reverseNormally(pending, op, order, at),
  });
  return lostReply(step.fault ?? 'hang');
}

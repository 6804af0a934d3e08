import { afterPay, unreachable } from './decisions';
import { gateway } from './gateway-steps';
import type { Outcome, SagaState } from './saga-state';
import type { PaymentRequest } from './types';

/**
 * Phase 1, pay: sent once, never again with this client_sn, and not at all past the pay send
 * deadline (R5: the activity answers "not sent", a definite failure). A success or a definite no is
 * the outcome; anything else goes to confirm. An answer about another order counts for nothing (R1).
 */
export async function payPhase(saga: SagaState, payStartedAt: number): Promise<Outcome | 'CONFIRM'> {
  const answer = saga.record('pay', 1, await gateway.pay(payInputOf(saga)));
  const another = saga.anotherOrder(answer);
  if (another) return { to: 'NEEDS_ATTENTION', why: 'answer about another order', reason: another };
  const decision = afterPay(answer);
  switch (decision) {
    case 'PAID':
      return { to: 'PAID', why: 'pay succeeded' };
    case 'FAILED':
      return { to: 'FAILED', why: 'pay definitely failed, or was not sent' };
    case 'CONFIRM':
      // CLIENT_SN_CONFLICT: an order with this client_sn existed before; our pay created nothing.
      if (answer.errorCode === 'CLIENT_SN_CONFLICT' && saga.rules === 'money-rules') saga.payCreatedNothing = true;
      saga.payInDoubtFrom(payStartedAt);
      return decision;
    default:
      return unreachable(decision);
  }
}

/** What the pay activity sends: the request without the saga's own timing, with its send deadline. */
function payInputOf(saga: SagaState) {
  const input: Omit<PaymentRequest, 'timing'> & { timing?: unknown; sendBy?: number } = { ...saga.request };
  delete input.timing;
  if (saga.timing.paySendDeadline !== undefined) input.sendBy = saga.timing.paySendDeadline;
  return input;
}

import { afterPay } from './decisions';
import { gateway } from './gateway-steps';
import type { Outcome, SagaState } from './saga-state';
import type { PaymentRequest } from './types';

/**
 * Phase 1, pay: sent once, never again with this client_sn. A success or a definite no is the
 * outcome; anything else goes to confirm.
 */
export async function payPhase(saga: SagaState): Promise<Outcome | 'CONFIRM'> {
  const answer = saga.record('pay', 1, await gateway.pay(payInputOf(saga.request)));
  const decision = afterPay(answer);
  switch (decision) {
    case 'PAID':
      return { to: 'PAID', why: 'pay succeeded' };
    case 'FAILED':
      return { to: 'FAILED', why: 'pay definitely failed, or was not sent' };
    case 'CONFIRM':
      return decision;
  }
}

/** The request without the saga's own timing: what the pay activity sends. */
function payInputOf(request: PaymentRequest): Omit<PaymentRequest, 'timing'> {
  const input: Omit<PaymentRequest, 'timing'> & { timing?: unknown } = { ...request };
  delete input.timing;
  return input;
}

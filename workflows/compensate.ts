import { afterCancelQuery, refusalOf, unreachable } from './decisions';
import { gateway } from './gateway-steps';
import { countCancelAttempt } from './metrics';
import type { Outcome, SagaState } from './saga-state';
import { AGAIN, onSchedule } from './schedule';
import { cancelSchedule } from './timing';

/**
 * Phase 3, compensate (冲正): the payment is still not confirmed, so cancel it, and keep cancelling
 * on the cancel schedule until the gateway gives a definite answer or the cancel deadline passes.
 * Every cancel that does not succeed is checked with a query.
 */
export async function compensatePhase(saga: SagaState): Promise<Outcome> {
  saga.move('CANCELING', 'confirm window ended unconfirmed');
  let reversalStarted = false;
  const decision = await onSchedule(cancelSchedule(saga.timing), async (n) => {
    const cancel = saga.record('cancel', n, await gateway.cancel(saga.orderRef()));
    countCancelAttempt(cancel);
    if (cancel.kind === 'success') return { next: 'CANCELED' as const };
    if (cancel.kind === 'in_progress') reversalStarted = true;
    const query = saga.record('cancel-check-query', n, await gateway.query(saga.orderRef()));
    const refusal = refusalOf(cancel);
    const decision = afterCancelQuery(query, refusal ? { reversalStarted, refusal } : { reversalStarted });
    return decision.next === 'CANCEL_AGAIN' ? AGAIN : decision;
  });
  const stuck = 'cancel refused, order refunded, or cancel deadline';
  switch (decision?.next) {
    case undefined:
      return { to: 'NEEDS_ATTENTION', why: stuck, reason: 'no definite cancel answer before the cancel deadline' };
    case 'CANCELED':
      return { to: 'CANCELED', why: 'cancel succeeded, or query: reversed' };
    case 'FAILED':
      return { to: 'FAILED', why: 'cancel-check query: no order' };
    case 'PAID':
      return { to: 'PAID', why: 'cancel-check query: PAID, no reversal underway' };
    case 'ESCALATE':
      return { to: 'NEEDS_ATTENTION', why: stuck, reason: decision.reason };
    default:
      return unreachable(decision);
  }
}

import { afterCancelQuery, cancelRefusal, type Decision } from './decisions';
import { gateway } from './gateway-steps';
import { countCancelAttempt } from './metrics';
import { onReversalSchedule } from './reversal-schedule';
import type { SagaState } from './saga-state';

/**
 * 冲正: the payment is still not confirmed, so cancel it, and keep cancelling on the schedule until
 * the gateway gives a definite answer. Every non-success answer is checked with a query.
 */
export async function compensate(saga: SagaState): Promise<Decision> {
  saga.setState('CANCELING');
  let reversalStarted = false;
  const decision = await onReversalSchedule(saga, saga.status.timing.cancelDeadline, async (n): Promise<Decision> => {
    const cancel = saga.record(await gateway.cancel(saga.orderRef()), n);
    countCancelAttempt(cancel);
    if (cancel.kind === 'success') return { next: 'CANCELED' };
    if (cancel.kind === 'in_progress') reversalStarted = true;
    const query = saga.record(await gateway.query(saga.orderRef()), n);
    const refusal = cancelRefusal(cancel);
    return afterCancelQuery(query, refusal ? { reversalStarted, refusal } : { reversalStarted });
  });
  return decision ?? { next: 'ESCALATE', reason: 'no definite cancel answer before the cancel deadline' };
}

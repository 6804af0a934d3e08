import { sleep } from '@temporalio/workflow';
import { afterConfirmQuery, type Decision } from './decisions';
import { gateway } from './gateway-steps';
import { countConfirmPoll } from './metrics';
import type { SagaState } from './saga-state';

/**
 * Pay ended without a definite answer: query on a fixed interval until the confirm window (counted
 * from the start of pay) ends. Always at least one query. Returns the last decision; RETRY means
 * "still not confirmed" and the caller compensates right away (no gap before the cancel).
 */
export async function confirmPayment(saga: SagaState, payStartedAt: number): Promise<Decision> {
  const { confirmIntervalMs, confirmWindowMs } = saga.status.timing;
  const windowEnd = payStartedAt + confirmWindowMs;
  saga.setState('CONFIRMING');
  for (let attempt = 1; ; attempt++) {
    await sleep(confirmIntervalMs);
    const answer = saga.record(await gateway.query(saga.orderRef()), attempt);
    countConfirmPoll(answer);
    const decision = afterConfirmQuery(answer);
    if (decision.next !== 'RETRY') return decision;
    if (Date.now() + confirmIntervalMs > windowEnd) return decision;
  }
}

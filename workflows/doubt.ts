import { sleep } from '@temporalio/workflow';
import { showsReversed } from './decisions';
import { gateway } from './gateway-steps';
import type { SagaState } from './saga-state';
import type { CallStep, GatewayCallResult } from './types';

/**
 * R3: a reversal schedule ended while an attempt of ours may still take effect. Query at the
 * confirm interval until the order shows it reversed, or until a query sent after the doubt ended
 * says what the money finally did. Returns that last query, or why it was about another order (R1).
 */
export async function queryUntilDoubtEnds(
  saga: SagaState,
  step: Extract<CallStep, 'cancel-check-query' | 'revoke-check-query'>,
  firstAttempt: number,
): Promise<{ query: GatewayCallResult; another?: string }> {
  for (let n = firstAttempt; ; n++) {
    const wait = Math.min(saga.timing.confirmIntervalMs, saga.reversalDoubtEnds - Date.now());
    if (wait > 0) await sleep(wait);
    const sentAt = Date.now();
    const query = saga.record(step, n, await gateway.query(saga.orderRef()));
    const another = saga.anotherOrder(query); // R1: an answer about another order proves nothing of ours
    if (another) return { query, another };
    if (showsReversed(query) || !saga.reversalInDoubt(sentAt)) return { query };
  }
}

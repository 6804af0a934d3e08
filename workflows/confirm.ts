import { afterConfirmQuery, unreachable } from './decisions';
import { gateway } from './gateway-steps';
import { countConfirmPoll } from './metrics';
import type { Outcome, SagaState } from './saga-state';
import { AGAIN, onSchedule } from './schedule';
import { confirmSchedule } from './timing';

/**
 * Phase 2, confirm: pay ended without a definite answer, so query on the confirm schedule (a fixed
 * interval, until the window counted from the start of pay ends; always at least one query). Still
 * unconfirmed at the end: compensate, right after the last query.
 */
export async function confirmPhase(saga: SagaState, payStartedAt: number): Promise<Outcome | 'COMPENSATE'> {
  saga.move('CONFIRMING', 'pay in progress or without an answer');
  const decision = await onSchedule(confirmSchedule(saga.timing, payStartedAt), async (n) => {
    const answer = saga.record('confirm-query', n, await gateway.query(saga.orderRef()));
    countConfirmPoll(answer);
    const decision = afterConfirmQuery(answer);
    return decision.next === 'QUERY_AGAIN' ? AGAIN : decision;
  });
  switch (decision?.next) {
    case undefined:
      return 'COMPENSATE';
    case 'PAID':
      return { to: 'PAID', why: 'confirm query: PAID' };
    case 'FAILED':
      return { to: 'FAILED', why: 'confirm query: PAY_CANCELED or no order' };
    case 'CANCELED':
      return { to: 'CANCELED', why: 'confirm query: CANCELED' };
    case 'ESCALATE':
      return { to: 'NEEDS_ATTENTION', why: 'confirm query: order refunded', reason: decision.reason };
    default:
      return unreachable(decision);
  }
}

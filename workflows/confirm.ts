import { afterConfirmQuery, unreachable } from './decisions';
import { gateway } from './gateway-steps';
import { countConfirmPoll } from './metrics';
import type { Outcome, SagaState } from './saga-state';
import { AGAIN, onSchedule } from './schedule';
import { confirmSchedule } from './timing';

/**
 * Phase 2, confirm: pay ended without a definite answer, so query on the confirm schedule (a fixed
 * interval, until the window counted from the start of pay ends; always at least one query). Still
 * unconfirmed at the end: compensate, right after the last query, if the order can be ours.
 */
export async function confirmPhase(saga: SagaState, payStartedAt: number): Promise<Outcome | 'COMPENSATE'> {
  saga.move('CONFIRMING', 'pay in progress or without an answer');
  let another: string | undefined;
  const decision = await onSchedule(confirmSchedule(saga.timing, payStartedAt), async (n) => {
    const answer = saga.record('confirm-query', n, await gateway.query(saga.orderRef()));
    countConfirmPoll(answer);
    another = saga.anotherOrder(answer);
    if (another) return { next: 'ANOTHER_ORDER' as const };
    const decision = afterConfirmQuery(answer, saga.payMayStillArrive(Date.now()));
    return decision.next === 'QUERY_AGAIN' ? AGAIN : decision;
  });
  switch (decision?.next) {
    case undefined:
      // R1: after CLIENT_SN_CONFLICT only an order proved ours may be cancelled; none was found.
      if (saga.payCreatedNothing && !saga.ownOrderSeen)
        return {
          to: 'NEEDS_ATTENTION',
          why: 'confirm window ended: no order proved ours to cancel',
          reason: 'pay answered CLIENT_SN_CONFLICT and no order matching this payment was found; nothing was cancelled',
        };
      return 'COMPENSATE';
    case 'ANOTHER_ORDER':
      return { to: 'NEEDS_ATTENTION', why: 'answer about another order', reason: another! };
    case 'PAID':
      return { to: 'PAID', why: 'confirm query: PAID' };
    case 'FAILED':
      return { to: 'FAILED', why: 'confirm query: PAY_CANCELED or no order' };
    case 'NO_ORDER':
      return saga.rules === 'legacy'
        ? { to: 'FAILED', why: 'confirm query: PAY_CANCELED or no order' }
        : { to: 'FAILED', why: 'confirm query: no order, and no pay of ours can still arrive' };
    case 'CANCELED':
      return { to: 'CANCELED', why: 'confirm query: CANCELED' };
    case 'ESCALATE':
      return { to: 'NEEDS_ATTENTION', why: 'confirm query: order refunded', reason: decision.reason };
    default:
      return unreachable(decision);
  }
}

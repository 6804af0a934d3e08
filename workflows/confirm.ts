import { afterConfirmQuery, confirmUnderCancellation, unreachable, type ConfirmDecision } from './decisions';
import { gateway } from './gateway-steps';
import { countConfirmPoll } from './metrics';
import type { Outcome, SagaState } from './saga-state';
import { AGAIN, onSchedule, type Interrupt } from './schedule';
import { confirmSchedule } from './timing';
import type { CallStep } from './types';

type ConfirmNext =
  Exclude<ConfirmDecision, { next: 'QUERY_AGAIN' }> | { next: 'COMPENSATE' } | { next: 'ANOTHER_ORDER' };

/**
 * Phase 2, confirm: pay ended without a definite answer, so query on the confirm schedule (a fixed
 * interval, until the window counted from the start of pay ends; always at least one query). Still
 * unconfirmed at the end: compensate, right after the last query, if the order can be ours. A
 * cancellation request (R6) ends the wait at once: compensate now, and a query showing PAID
 * afterwards is compensated too. A recheck is one more query now, read like the others.
 */
export async function confirmPhase(
  saga: SagaState,
  payStartedAt: number,
  why:
    | 'pay in progress or without an answer'
    | 'a reset run: pay not sent again, the order queried' = 'pay in progress or without an answer',
): Promise<Outcome | 'COMPENSATE'> {
  saga.move('CONFIRMING', why);
  let another: string | undefined;
  let cancellationSeen = false;
  const ask = async (step: CallStep, n: number): Promise<ConfirmNext | typeof AGAIN> => {
    const answer = saga.record(step, n, await gateway.query(saga.orderRef()));
    countConfirmPoll(answer);
    another = saga.anotherOrder(answer);
    if (another) return { next: 'ANOTHER_ORDER' };
    const decision = afterConfirmQuery(answer, saga.payMayStillArrive(Date.now()));
    const next = saga.doNotTake ? confirmUnderCancellation(decision, noOrderProvedOurs(saga)) : decision;
    return next.next === 'QUERY_AGAIN' ? AGAIN : next;
  };
  const interrupt: Interrupt<ConfirmNext> = {
    pending: () => (saga.doNotTake && !cancellationSeen) || saga.recheckPending,
    act: async () => {
      if (saga.recheckPending) {
        const next = await ask('recheck-query', saga.nextRecheckAttempt);
        const effect = next === AGAIN ? 'no outcome yet: the confirm queries go on' : `confirm phase: ${next.next}`;
        saga.answerRechecks(saga.status.calls.at(-1)!, effect);
        return next;
      }
      cancellationSeen = true;
      return noOrderProvedOurs(saga) ? AGAIN : { next: 'COMPENSATE' };
    },
  };
  const schedule = confirmSchedule(saga.timing, payStartedAt);
  const decision = await onSchedule(schedule, (n) => ask('confirm-query', n), interrupt);
  switch (decision?.next) {
    case undefined:
      // R1: after CLIENT_SN_CONFLICT only an order proved ours may be cancelled; none was found.
      if (noOrderProvedOurs(saga))
        return {
          to: 'NEEDS_ATTENTION',
          why: 'confirm window ended: no order proved ours to cancel',
          reason: 'pay answered CLIENT_SN_CONFLICT and no order matching this payment was found; nothing was cancelled',
        };
      return 'COMPENSATE';
    case 'COMPENSATE':
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

/** After CLIENT_SN_CONFLICT, no answer has yet shown an order matching this payment (R1). */
function noOrderProvedOurs(saga: SagaState): boolean {
  return saga.payCreatedNothing && !saga.ownOrderSeen;
}

import { afterCancelQuery, refusalOf, showsReversed, unreachable, type CancelDecision } from './decisions';
import { queryUntilDoubtEnds } from './doubt';
import { gateway } from './gateway-steps';
import { countCancelAttempt } from './metrics';
import type { Outcome, SagaState } from './saga-state';
import { AGAIN, onSchedule, type Interrupt } from './schedule';
import { cancelSchedule } from './timing';
import type { GatewayCallResult } from './types';

type CompensateDecision = Exclude<CancelDecision, { next: 'CANCEL_AGAIN' }> | { next: 'ANOTHER_ORDER'; reason: string };

const STUCK = 'cancel refused, order refunded, or cancel deadline';

/**
 * Phase 3, compensate (冲正): the payment is still not confirmed, so cancel it, and keep cancelling
 * on the cancel schedule until the order is reversed (R2: a PAID order is cancelled again), no
 * order exists and none can (FAILED), or a person must look (a definite refusal with no attempt in
 * doubt, the cancel deadline, an order that is not ours). Every cancel that does not succeed is
 * checked with a query; a cancel without a definite answer is waited out before anything counts (R3).
 * Entered when the confirm window ended, or at once on a cancellation request before the outcome
 * (R6). A recheck is one more query now, read as the query after a cancel is (without a refusal).
 */
export async function compensatePhase(
  saga: SagaState,
  why:
    | 'confirm window ended unconfirmed'
    | 'cancellation requested: do not take this money' = 'confirm window ended unconfirmed',
): Promise<Outcome> {
  saga.move('CANCELING', why);
  let reversalStarted = false;
  let attempts = 0;
  /** The query after a cancel, or a recheck's, read by the same decision (R2, R3, R5). */
  const judge = (query: GatewayCallResult, refusal?: string): CompensateDecision | typeof AGAIN => {
    const queried = saga.anotherOrder(query);
    if (queried) return { next: 'ANOTHER_ORDER', reason: queried };
    const now = Date.now();
    const decision = afterCancelQuery(query, {
      rules: saga.rules,
      reversalStarted,
      ...(refusal ? { refusal } : {}),
      reversalInDoubt: saga.reversalInDoubt(now),
      payMayStillArrive: saga.payMayStillArrive(now),
    });
    return decision.next === 'CANCEL_AGAIN' ? AGAIN : decision;
  };
  const recheck: Interrupt<CompensateDecision> = {
    pending: () => saga.recheckPending,
    act: async () => {
      const query = saga.record('recheck-query', saga.nextRecheckAttempt, await gateway.query(saga.orderRef()));
      const next = judge(query);
      saga.answerRechecks(
        query,
        next === AGAIN ? 'not reversed yet: the cancel schedule goes on' : `compensation: ${next.next}`,
      );
      return next;
    },
  };
  const decision = await onSchedule(
    cancelSchedule(saga.timing),
    async (n): Promise<CompensateDecision | typeof AGAIN> => {
      attempts = n;
      const sentAt = Date.now();
      const cancel = saga.record('cancel', n, await gateway.cancel(saga.orderRef()));
      countCancelAttempt(cancel);
      const another = saga.anotherOrder(cancel);
      if (another) return { next: 'ANOTHER_ORDER', reason: another };
      if (cancel.kind === 'success') return { next: 'CANCELED' };
      if (cancel.kind === 'in_progress') reversalStarted = true;
      if (cancel.kind === 'in_progress' || cancel.kind === 'unknown') saga.reversalInDoubtFrom(sentAt);
      const query = saga.record('cancel-check-query', n, await gateway.query(saga.orderRef()));
      return judge(query, refusalOf(cancel));
    },
    recheck,
  );
  return decision ? outcomeOf(saga, decision) : await afterDeadline(saga, attempts + 1);
}

/** The cancel deadline passed without a definite answer; a cancel still in doubt is waited out first. */
async function afterDeadline(saga: SagaState, nextQuery: number): Promise<Outcome> {
  if (saga.reversalInDoubt(Date.now())) {
    const { query, another } = await queryUntilDoubtEnds(saga, 'cancel-check-query', nextQuery);
    if (another) return { to: 'NEEDS_ATTENTION', why: 'answer about another order', reason: another };
    if (showsReversed(query)) return { to: 'CANCELED', why: 'cancel succeeded, or query: reversed' };
  }
  return { to: 'NEEDS_ATTENTION', why: STUCK, reason: 'no definite cancel answer before the cancel deadline' };
}

function outcomeOf(saga: SagaState, decision: CompensateDecision): Outcome {
  switch (decision.next) {
    case 'CANCELED':
      return { to: 'CANCELED', why: 'cancel succeeded, or query: reversed' };
    case 'FAILED':
      return saga.rules === 'legacy'
        ? { to: 'FAILED', why: 'cancel-check query: no order' }
        : { to: 'FAILED', why: 'cancel-check query: no order, and no pay of ours can still arrive' };
    case 'PAID':
      return { to: 'PAID', why: 'cancel-check query: PAID, no reversal underway' };
    case 'ESCALATE':
      return { to: 'NEEDS_ATTENTION', why: STUCK, reason: decision.reason };
    case 'ANOTHER_ORDER':
      return { to: 'NEEDS_ATTENTION', why: 'answer about another order', reason: decision.reason };
    default:
      return unreachable(decision);
  }
}

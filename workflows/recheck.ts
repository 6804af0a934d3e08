import { afterRecheckQuery, unreachable } from './decisions';
import { gateway } from './gateway-steps';
import { countEscalation } from './metrics';
import type { SagaState } from './saga-state';

/**
 * Patch id of the `recheck` action (issue 15, 2026-12-03): an operator, told by the customer that
 * the money moved, makes the saga query the gateway now and act on the answer. Asked in the
 * handler when a recheck arrives, so payments started before it can be rechecked too, and a
 * history with a `recheck` signal sent before the handler existed replays as it ran (ignored).
 *
 * What a recheck does, by phase (the query goes at the main flow's next wait, never beside
 * another gateway call):
 * - PAYING: pay is in flight; the recheck waits for its answer, then is served below.
 * - CONFIRMING: one more query now, read by afterConfirmQuery like every confirm query.
 * - CANCELING: one more query now, read by afterCancelQuery like the query after a cancel.
 * - REVOKING, or while a reversal in doubt is waited out: served when that ends.
 * - After the outcome (hold): the answer is judged as the check at close judges it
 *   (afterRecheckQuery): a disagreement goes to a person now, an unclear answer changes nothing.
 * - NEEDS_ATTENTION: the answer is recorded for the person who resolves it.
 */
export const RECHECK = 'recheck';

/** Hold phase: query now and judge the answer against the state the payment holds. */
export async function recheckInHold(saga: SagaState): Promise<void> {
  const query = saga.record('recheck-query', saga.nextRecheckAttempt, await gateway.query(saga.orderRef()));
  const refunds = saga.refundsTold;
  const decision = afterRecheckQuery(saga.state, query, saga.anotherOrder(query), saga.payCreatedNothing, refunds);
  switch (decision.next) {
    case 'RECORD':
      saga.answerRechecks(
        query,
        refunds?.inFlight && saga.state !== 'NEEDS_ATTENTION' && saga.state !== 'SETTLED_OUTSIDE'
          ? `recorded: a refund told of is in flight (${refunds.told}); the check at close judges the books once it concludes`
          : `recorded for the person: the payment is ${saga.state}`,
      );
      break;
    case 'AGREES':
      saga.answerRechecks(query, `the gateway agrees: the payment stays ${saga.state}`);
      break;
    case 'UNCLEAR':
      saga.answerRechecks(query, `no definite answer from the gateway: the payment stays ${saga.state}`);
      break;
    case 'ESCALATE':
      saga.answerRechecks(query, `the gateway disagrees: handed to a person (${decision.reason})`);
      saga.escalate('recheck: the gateway disagrees', decision.reason);
      countEscalation(saga.status, 'recheck');
      break;
    default:
      unreachable(decision);
  }
}

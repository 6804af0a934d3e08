import { patched } from '@temporalio/workflow';
import { afterRevokeQuery, beforeRevoke, revokeRefusal, type Decision } from './decisions';
import { gateway } from './gateway-steps';
import { countRevoke } from './metrics';
import { onReversalSchedule } from './reversal-schedule';
import type { SagaState } from './saga-state';

/** Patch id of "query the order before the first revoke" (2026-11-26). */
export const QUERY_BEFORE_REVOKE = 'query-before-revoke';
/** Patch id: a refusal after an earlier unknown revoke answer is no proof the money stayed (2026-11-26, fuzz seed 1898). */
export const REFUSAL_AFTER_UNKNOWN_REVOKE = 'refusal-after-unknown-revoke';

/**
 * 手动撤单 of a PAID order, carried out by the main flow only (handlers just record intent), with
 * the same schedule discipline as cancel, until the revoke window closes.
 */
export async function revokePayment(saga: SagaState): Promise<void> {
  if (!saga.status.revoke) return;
  saga.status.revoke.status = 'IN_PROGRESS';
  saga.setState('REVOKING');
  // Added while payments were in flight, so it is patched: runs started before it replay the old
  // path (revoke without looking first). README "Evolving the saga" walks through it.
  const decidedByLook = patched(QUERY_BEFORE_REVOKE) ? await lookBeforeRevoke(saga) : undefined;
  finishRevoke(saga, decidedByLook ?? (await revokeOnSchedule(saga)));
}

/** Query first: an order already reversed, refunded or unknown at the gateway gets no revoke. */
async function lookBeforeRevoke(saga: SagaState): Promise<Decision | undefined> {
  const decision = beforeRevoke(saga.record(await gateway.query(saga.orderRef()), 0));
  if (decision?.next === 'REVOKED') saga.status.revoke!.detail = 'already CANCELED at the gateway; no revoke sent';
  return decision;
}

async function revokeOnSchedule(saga: SagaState): Promise<Decision> {
  const revoke = saga.status.revoke!;
  const windowEnd = saga.status.timing.revokeWindowEnd;
  let earlierUnknown = false; // an earlier attempt may have reversed the money without telling us
  const decision = await onReversalSchedule(saga, windowEnd, async (n): Promise<Decision> => {
    // Same business day only: nothing is sent once the window has closed (the look may have taken long).
    if (Date.now() >= windowEnd) {
      if (n > 1) return { next: 'ESCALATE', reason: 'the revoke window closed after an unknown revoke answer' };
      revoke.detail = 'the revoke window closed before the revoke could be sent';
      return { next: 'REFUSED' };
    }
    const answer = saga.record(await gateway.revoke(saga.orderRef()), n);
    if (answer.kind === 'success') return { next: 'REVOKED' };
    const refusal = revokeRefusal(answer);
    const query = saga.record(await gateway.query(saga.orderRef()), n);
    const doubt = earlierUnknown && patched(REFUSAL_AFTER_UNKNOWN_REVOKE);
    if (answer.kind === 'unknown' || answer.kind === 'in_progress') earlierUnknown = true;
    const decision = afterRevokeQuery(query, refusal, doubt);
    if (decision.next === 'REFUSED' && refusal) revoke.detail = refusal;
    return decision;
  });
  return decision ?? { next: 'ESCALATE', reason: 'no definite revoke answer before the revoke window closed' };
}

function finishRevoke(saga: SagaState, outcome: Decision): void {
  const revoke = saga.status.revoke!;
  if (outcome.next === 'REVOKED') {
    revoke.status = 'REVOKED';
    saga.setState('REVOKED');
  } else if (outcome.next === 'REFUSED') {
    revoke.status = 'REFUSED';
    saga.setState('PAID');
  } else {
    revoke.status = 'NEEDS_ATTENTION';
    saga.escalate(outcome.next === 'ESCALATE' ? outcome.reason : `unexpected revoke decision ${outcome.next}`);
  }
  countRevoke(saga.status);
}

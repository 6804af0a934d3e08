import { afterRevokeQuery, revokeRefusal, type Decision } from './decisions';
import { gateway } from './gateway-steps';
import { onReversalSchedule } from './reversal-schedule';
import type { SagaState } from './saga-state';

/**
 * 手动撤单 of a PAID order, carried out by the main flow only (handlers just record intent), with
 * the same schedule discipline as cancel, until the revoke window closes.
 */
export async function revokePayment(saga: SagaState): Promise<void> {
  const revoke = saga.status.revoke;
  if (!revoke) return;
  revoke.status = 'IN_PROGRESS';
  saga.setState('REVOKING');
  const decision = await onReversalSchedule(saga, saga.status.timing.revokeWindowEnd, async (n): Promise<Decision> => {
    const answer = saga.record(await gateway.revoke(saga.orderRef()), n);
    if (answer.kind === 'success') return { next: 'REVOKED' };
    const refusal = revokeRefusal(answer);
    const decision = afterRevokeQuery(saga.record(await gateway.query(saga.orderRef()), n), refusal);
    if (decision.next === 'REFUSED' && refusal) revoke.detail = refusal;
    return decision;
  });
  const outcome = decision ?? { next: 'ESCALATE', reason: 'no definite revoke answer before the revoke window closed' };
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
}

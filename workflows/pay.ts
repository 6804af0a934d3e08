import { patched, workflowInfo } from '@temporalio/workflow';
import { afterPay, unreachable } from './decisions';
import { gateway } from './gateway-steps';
import type { Outcome, SagaState } from './saga-state';
import type { PaymentRequest } from './types';

/**
 * Patch id (issue 15, 2026-12-03), and the record of a fact: this run is a reset of an earlier one,
 * so pay is not sent again; the order is queried (confirm) and the first run's pay, if it took the
 * money, is found (never a second pay, never FAILED beside a PAID order: a reset run's send
 * deadline is the first run's, so its pay would come back "not sent"). Written only in a reset run
 * when it reaches pay live; read back from history on replay.
 */
export const RESET_RUN_SENDS_NO_PAY = 'reset-run-sends-no-pay';

/**
 * Patch id (2026-12-03): a pay in doubt may take effect up to `requestDoubtMs` after it left the
 * worker, and it may have waited in the HTTP pool until its send deadline (R5), so its doubt counts
 * from the last moment it could have left (its answer, or the send deadline if sooner), not from
 * pay's start: a pay queued for 28 s could otherwise land after "no such order" had ended the
 * payment FAILED, a 长款. Asked only when a pay is in doubt.
 */
export const PAY_DOUBT_FROM_SEND = 'pay-doubt-from-send';

/**
 * Whether this run is a reset that reached pay, deterministically: live, a reset run's id differs
 * from the run id on its (copied) start event, and the marker records it; on replay only the marker
 * counts (an offline replayer runs every history under the start event's run id, so the ids cannot
 * be compared there). Without the marker in history, patched() on replay is false and sends nothing.
 */
function resetRunReachedPay(): boolean {
  const { runId, originalExecutionRunId, unsafe } = workflowInfo();
  if (unsafe.isReplaying) return patched(RESET_RUN_SENDS_NO_PAY);
  return runId !== originalExecutionRunId && patched(RESET_RUN_SENDS_NO_PAY);
}

/**
 * Phase 1, pay: sent once, never again with this client_sn, and not at all past the pay send
 * deadline (R5: the activity answers "not sent", a definite failure), after a cancellation request
 * (R6), or in a reset run (its first run may have paid: confirm instead). A success or a definite no is the outcome;
 * anything else goes to confirm; under a cancellation request, anything but a definite no is
 * compensated at once. An answer about another order counts for nothing (R1).
 */
export async function payPhase(
  saga: SagaState,
  payStartedAt: number,
): Promise<Outcome | 'CONFIRM' | 'COMPENSATE' | 'RESET_RUN'> {
  if (saga.doNotTake) return { to: 'FAILED', why: 'cancellation requested before pay was sent' };
  if (saga.rules === 'money-rules' && resetRunReachedPay()) return 'RESET_RUN';
  const answer = saga.record('pay', 1, await gateway.pay(payInputOf(saga)));
  const another = saga.anotherOrder(answer);
  if (another) return { to: 'NEEDS_ATTENTION', why: 'answer about another order', reason: another };
  const decision = afterPay(answer);
  switch (decision) {
    case 'PAID':
      // R6: asked not to take it before we knew, so it is reversed (cancel reverses PAID too).
      if (saga.doNotTake) return 'COMPENSATE';
      return { to: 'PAID', why: 'pay succeeded' };
    case 'FAILED':
      return { to: 'FAILED', why: 'pay definitely failed, or was not sent' };
    case 'CONFIRM':
      // CLIENT_SN_CONFLICT: an order with this client_sn existed before; our pay created nothing.
      if (answer.errorCode === 'CLIENT_SN_CONFLICT' && saga.rules === 'money-rules') saga.payCreatedNothing = true;
      saga.payInDoubtFrom(lastMomentPayCouldLeave(saga, payStartedAt));
      // R6 unless R1 forbids: nothing is cancelled before an order is proved ours (confirm finds it first).
      if (saga.doNotTake && !saga.payCreatedNothing) return 'COMPENSATE';
      return decision;
    default:
      return unreachable(decision);
  }
}

/** When the doubt about a pay without a definite answer starts (patch PAY_DOUBT_FROM_SEND). */
function lastMomentPayCouldLeave(saga: SagaState, payStartedAt: number): number {
  if (saga.rules === 'legacy' || saga.payCreatedNothing || !patched(PAY_DOUBT_FROM_SEND)) return payStartedAt;
  const answeredAt = Date.now(); // the pay left no later than its answer (or its activity's end)
  const sendDeadline = saga.timing.paySendDeadline;
  return sendDeadline === undefined ? answeredAt : Math.min(answeredAt, sendDeadline);
}

/** What the pay activity sends: the request without the saga's own timing, with its send deadline. */
function payInputOf(saga: SagaState) {
  const input: Omit<PaymentRequest, 'timing'> & { timing?: unknown; sendBy?: number } = { ...saga.request };
  delete input.timing;
  if (saga.timing.paySendDeadline !== undefined) input.sendBy = saga.timing.paySendDeadline;
  return input;
}

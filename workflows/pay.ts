import { patched, workflowInfo } from '@temporalio/workflow';
import { afterPay, unreachable } from './decisions';
import { gateway } from './gateway-steps';
import type { Outcome, SagaState } from './saga-state';
import type { PaymentRequest } from './types';

/**
 * Patch id (issue 15, 2026-12-03): a reset run never sends pay again; it learns what the first
 * run's pay did by query (confirm). Asked only in a reset run, when it would send pay: a reset
 * replays the first run's events without the marker (false: as it ran), then goes on live (true).
 */
export const RESET_RUN_SENDS_NO_PAY = 'reset-run-sends-no-pay';

/**
 * Phase 1, pay: sent once, never again with this client_sn, and not at all past the pay send
 * deadline (R5: the activity answers "not sent", a definite failure), after a cancellation request
 * (R6), or in a reset run (its first run may have paid). A success or a definite no is the outcome;
 * anything else goes to confirm; under a cancellation request, anything but a definite no is
 * compensated at once. An answer about another order counts for nothing (R1).
 */
export async function payPhase(saga: SagaState, payStartedAt: number): Promise<Outcome | 'CONFIRM' | 'COMPENSATE'> {
  if (saga.doNotTake) return { to: 'FAILED', why: 'cancellation requested before pay was sent' };
  const { runId, originalExecutionRunId } = workflowInfo();
  if (originalExecutionRunId && runId !== originalExecutionRunId && patched(RESET_RUN_SENDS_NO_PAY)) {
    saga.noteRerunOf(originalExecutionRunId);
    // The first run's pay may have been sent up to its send deadline: "no such order" proves nothing until it cannot land.
    saga.payInDoubtFrom(saga.timing.paySendDeadline ?? payStartedAt);
    return 'CONFIRM';
  }
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
      saga.payInDoubtFrom(payStartedAt);
      // R6 unless R1 forbids: nothing is cancelled before an order is proved ours (confirm finds it first).
      if (saga.doNotTake && !saga.payCreatedNothing) return 'COMPENSATE';
      return decision;
    default:
      return unreachable(decision);
  }
}

/** What the pay activity sends: the request without the saga's own timing, with its send deadline. */
function payInputOf(saga: SagaState) {
  const input: Omit<PaymentRequest, 'timing'> & { timing?: unknown; sendBy?: number } = { ...saga.request };
  delete input.timing;
  if (saga.timing.paySendDeadline !== undefined) input.sendBy = saga.timing.paySendDeadline;
  return input;
}

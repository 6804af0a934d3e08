import { CancellationScope, patched } from '@temporalio/workflow';
import type { SagaState } from './saga-state';

/**
 * Patch id of money rules R6 for Temporal cancellation (issue 15, 2026-12-03): a cancellation
 * request (the Web UI's "Request Cancellation", `temporal workflow cancel`, `handle.cancel()`)
 * means "do not take this money" and never closes the workflow Canceled. Asked first thing, after
 * the money rules: a payment started before it replays (and, if cancelled, ends) as it ran.
 */
export const CANCEL_REQUEST_COMPENSATES = 'cancel-request-compensates';

/** Whether this run honours a cancellation request as R6 says. */
export function cancellationCompensatesInThisRun(): boolean {
  return patched(CANCEL_REQUEST_COMPENSATES);
}

/**
 * Runs the payment so that a cancellation request reaches it as a fact, never as an exception:
 * everything runs in a non-cancellable scope (a gateway call in flight runs to its end, a timer is
 * never cut, the workflow never closes Canceled), and the root scope's cancellation is handed to
 * SagaState (requestCancellation), where the phases read it (`doNotTake`) at their next step or
 * pause. Who asked and why stay on the WorkflowExecutionCancelRequested event: SDK 1.24's workflow
 * code is told neither (its CancelWorkflow job's reason is dropped before the workflow sees it).
 */
export function runHonouringCancellation<T>(saga: SagaState, run: () => Promise<T>): Promise<T> {
  CancellationScope.current().cancelRequested.catch(() => saga.requestCancellation());
  return CancellationScope.nonCancellable(run);
}

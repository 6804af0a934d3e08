import { ApplicationFailure, allHandlersFinished, condition, workflowInfo } from '@temporalio/workflow';
import { admit, rulesOfThisRun } from './admission';
import { cancellationCompensatesInThisRun, runHonouringCancellation } from './cancellation';
import { compensatePhase } from './compensate';
import { confirmPhase } from './confirm';
import { holdPhase } from './hold';
import { installHandlers } from './messages';
import { countClosed, countInvalidRequest, countOutcome } from './metrics';
import { payPhase } from './pay';
import { SagaState, type Outcome } from './saga-state';
import { resolveTiming } from './timing';
import type { SagaRules } from './transitions';
import type { PaymentRequest, PaymentStatus } from './types';
import { describeProblems } from './validation';

/** ApplicationFailure type for a request that fails validation (nothing reached the gateway). */
export const INVALID_PAYMENT_REQUEST = 'InvalidPaymentRequest';

/**
 * One payment, from pay to the close of its revoke window, in four phases:
 * pay → confirm → compensate (each only if the one before found no outcome), then hold.
 * Every state change is a row of transitions.ts; README "The saga" has the decision table. A
 * Temporal cancellation request is a fact the phases act on (R6, cancellation.ts), never an exception.
 */
export async function paymentSaga(request: PaymentRequest): Promise<PaymentStatus> {
  const startedAt = workflowInfo().startTime.getTime();
  const rules = rulesOfThisRun();
  // Handlers first: the checkout's outcome update arrives with the start and must find its handler.
  // Until admission answers (milliseconds), they see the default timing.
  const asStarted = typeof request === 'object' && request !== null ? request : ({} as PaymentRequest); // a UI start may send anything
  const saga = new SagaState(asStarted, resolveTiming(undefined, startedAt, rules), startedAt, rules);
  // Before the handlers: the checkout's update, delivered with the start, must not be cut by a cancellation.
  const honoursCancellation = rules === 'money-rules' && cancellationCompensatesInThisRun();
  saga.honoursCancellation = honoursCancellation;
  if (rules === 'money-rules') installHandlers(saga);
  if (honoursCancellation) return runHonouringCancellation(saga, () => runPayment(saga, request, startedAt, rules));
  return runPayment(saga, request, startedAt, rules);
}

/** Admission, then the phases, then the hold until the revoke window closes. */
async function runPayment(
  saga: SagaState,
  request: PaymentRequest,
  startedAt: number,
  rules: SagaRules,
): Promise<PaymentStatus> {
  const admission = await admit(request, startedAt, rules);
  if (!admission.admitted) {
    countInvalidRequest();
    throw ApplicationFailure.create({
      type: INVALID_PAYMENT_REQUEST,
      message: `invalid payment request: ${describeProblems(admission.problems)}`,
      nonRetryable: true,
      details: [admission.problems],
    });
  }
  saga.useTiming(admission.timing);
  if (rules === 'legacy') installHandlers(saga);
  saga.init();

  const outcome = await findOutcome(saga);
  const before = saga.state;
  saga.settle(outcome);
  countOutcome(saga.status, before);

  await holdPhase(saga);
  await condition(allHandlersFinished);
  countClosed(saga.status);
  return saga.status;
}

/** pay → confirm → compensate: what the money did, or why a person must look. */
async function findOutcome(saga: SagaState): Promise<Outcome> {
  const payStartedAt = Date.now();
  const paid = await payPhase(saga, payStartedAt);
  if (paid === 'COMPENSATE') return compensatePhase(saga, 'cancellation requested: do not take this money');
  if (paid !== 'CONFIRM' && paid !== 'RESET_RUN') return paid;
  // A reset run: the first run's pay may have been sent until its send deadline, and may still land (R5).
  if (paid === 'RESET_RUN') saga.payInDoubtFrom(saga.timing.paySendDeadline ?? payStartedAt);
  const why = paid === 'RESET_RUN' ? 'a reset run: pay not sent again, the order queried' : undefined;
  const confirmed = await confirmPhase(saga, payStartedAt, why);
  if (confirmed !== 'COMPENSATE') return confirmed;
  return compensatePhase(
    saga,
    saga.doNotTake ? 'cancellation requested: do not take this money' : 'confirm window ended unconfirmed',
  );
}

import { ApplicationFailure, allHandlersFinished, condition, workflowInfo } from '@temporalio/workflow';
import { compensatePhase } from './compensate';
import { confirmPhase } from './confirm';
import { holdPhase } from './hold';
import { installHandlers } from './messages';
import { countClosed, countInvalidRequest, countOutcome } from './metrics';
import { payPhase } from './pay';
import { SagaState, type Outcome } from './saga-state';
import { resolveTiming } from './timing';
import type { PaymentRequest, PaymentStatus } from './types';
import { describeProblems, validatePaymentRequest } from './validation';

/** ApplicationFailure type for a request that fails validation (nothing reached the gateway). */
export const INVALID_PAYMENT_REQUEST = 'InvalidPaymentRequest';

/**
 * One payment, from pay to the close of its revoke window, in four phases:
 * pay → confirm → compensate (each only if the one before found no outcome), then hold.
 * Every state change is a row of transitions.ts; README "The saga" has the decision table.
 */
export async function paymentSaga(request: PaymentRequest): Promise<PaymentStatus> {
  const problems = validatePaymentRequest(request);
  if (problems.length > 0) {
    countInvalidRequest();
    throw ApplicationFailure.create({
      type: INVALID_PAYMENT_REQUEST,
      message: `invalid payment request: ${describeProblems(problems)}`,
      nonRetryable: true,
      details: [problems],
    });
  }
  const startedAt = workflowInfo().startTime.getTime();
  const saga = new SagaState(request, resolveTiming(request.timing, startedAt), startedAt);
  installHandlers(saga);
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
  const paid = await payPhase(saga);
  if (paid !== 'CONFIRM') return paid;
  const confirmed = await confirmPhase(saga, payStartedAt);
  if (confirmed !== 'COMPENSATE') return confirmed;
  return compensatePhase(saga);
}

import { ApplicationFailure, allHandlersFinished, condition, patched, workflowInfo } from '@temporalio/workflow';
import { compensate } from './compensate';
import { confirmPayment } from './confirm';
import { afterPay, disagreesAtClose, type Decision } from './decisions';
import { gateway } from './gateway-steps';
import { installHandlers } from './messages';
import {
  countClosed,
  countEscalation,
  countInvalidRequest,
  countOutcome,
  countResolution,
  countRevoke,
} from './metrics';
import { revokePayment } from './revoke';
import { SagaState } from './saga-state';
import { resolveTiming } from './timing';
import type { PaymentRequest, PaymentStatus } from './types';
import { describeProblems, validatePaymentRequest } from './validation';

/** Patch id: a payment an operator resolved is checked against the gateway before it closes (2026-11-26). */
export const VERIFY_RESOLUTION_AT_CLOSE = 'verify-resolution-at-close';

/** ApplicationFailure type for a request that fails validation (nothing reached the gateway). */
export const INVALID_PAYMENT_REQUEST = 'InvalidPaymentRequest';

/**
 * One payment, from pay to the close of its revoke window. See README "The saga" for the decision
 * table and the schedules.
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

  applyOutcome(saga, await settlePayment(saga));
  await holdUntilRevokeWindowCloses(saga);
  await condition(allHandlersFinished);
  countClosed(saga.status);
  return saga.status;
}

/** pay → (confirm → compensate): ends with what the money did, or an escalation. */
async function settlePayment(saga: SagaState): Promise<Decision> {
  const payStartedAt = Date.now();
  const first = afterPay(saga.record(await gateway.pay(payInputOf(saga.request)), 1));
  if (first !== 'CONFIRM') return { next: first };
  const confirmed = await confirmPayment(saga, payStartedAt);
  if (confirmed.next !== 'RETRY') return confirmed;
  const compensated = await compensate(saga);
  // A PAID found after a cancel was sent is re-checked once more before the workflow closes.
  if (compensated.next === 'PAID') saga.verifyBeforeClose = true;
  return compensated;
}

/** The request without the saga's own timing: what the pay activity sends. */
function payInputOf(request: PaymentRequest): Omit<PaymentRequest, 'timing'> {
  const input: Omit<PaymentRequest, 'timing'> & { timing?: unknown } = { ...request };
  delete input.timing;
  return input;
}

function applyOutcome(saga: SagaState, decision: Decision): void {
  const before = saga.state;
  switch (decision.next) {
    case 'PAID':
    case 'FAILED':
    case 'CANCELED':
      saga.setState(decision.next);
      break;
    case 'ESCALATE':
      saga.escalate(decision.reason);
      break;
    default:
      saga.escalate(`unexpected decision ${decision.next}`);
  }
  countOutcome(saga.status, before);
}

/**
 * After the outcome: carry out a revoke if one is pending and the payment is PAID, wait for an
 * operator on NEEDS_ATTENTION, and otherwise wait for the revoke window to close.
 */
async function holdUntilRevokeWindowCloses(saga: SagaState): Promise<void> {
  const windowEnd = saga.status.timing.revokeWindowEnd;
  for (;;) {
    if (saga.state === 'NEEDS_ATTENTION') {
      await condition(() => saga.pendingResolve !== undefined);
      saga.applyResolution();
      countResolution(saga.status);
      // A person can be wrong or early (an order still in flight): the gateway gets the last word.
      if (patched(VERIFY_RESOLUTION_AT_CLOSE)) saga.verifyBeforeClose = true;
      continue;
    }
    const revoke = saga.status.revoke;
    if (revoke?.status === 'PENDING') {
      if (saga.state === 'PAID' && Date.now() < windowEnd) {
        await revokePayment(saga);
        continue;
      }
      revoke.status = saga.state === 'PAID' ? 'REFUSED' : 'NOT_NEEDED';
      revoke.detail =
        saga.state === 'PAID' ? 'the revoke window closed before it could run' : `payment ended ${saga.state}`;
      countRevoke(saga.status);
    }
    const remaining = windowEnd - Date.now();
    if (remaining > 0) {
      await condition(() => saga.status.revoke?.status === 'PENDING', remaining);
      continue;
    }
    // Unpatched runs verified PAID only; a resolution is verified whatever it says.
    if (saga.verifyBeforeClose && (saga.state === 'PAID' || saga.status.resolution !== undefined)) {
      saga.verifyBeforeClose = false;
      await verifyAtClose(saga);
      continue;
    }
    saga.status.settledAt = Date.now();
    return;
  }
}

/**
 * One last query before closing a payment whose outcome was late (PAID found after a cancel) or set
 * by an operator: if the gateway disagrees, a person looks again rather than the books closing wrong.
 */
async function verifyAtClose(saga: SagaState): Promise<void> {
  const query = saga.record(await gateway.query(saga.orderRef()), 1);
  const disagreement = disagreesAtClose(saga.state, query);
  if (disagreement) {
    saga.escalate(disagreement);
    countEscalation(saga.status, 'close');
  }
}

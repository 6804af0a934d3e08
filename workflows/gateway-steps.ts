import { ActivityFailure, ApplicationFailure, TimeoutFailure, proxyActivities } from '@temporalio/workflow';
import type { OrderRef, PayInput, PaymentActivities } from '../activities/payment-activities';
import { UNKNOWN_TERMINAL, type GatewayCallResult, type GatewayOperation } from './types';

/**
 * Activity options. Every gateway activity runs once (maximumAttempts 1): the saga owns the retry
 * schedule, and pay must never be sent twice. startToClose stays above the HTTP client's own
 * connect + read timeouts (activities/gateway/timeouts.ts, checked by a unit test) so the client
 * classifies its own timeout first; heartbeats reveal a dead worker within 10 s.
 */
export const ACTIVITY_TIMEOUTS_MS: Record<'pay' | 'query' | 'cancel' | 'revoke', number> = {
  pay: 70_000,
  query: 30_000,
  cancel: 50_000,
  revoke: 50_000,
};

const HEARTBEAT_TIMEOUT = '10 seconds';

/** One proxy per operation, each with its own startToClose; every gateway activity runs once. */
function proxyFor(operation: keyof typeof ACTIVITY_TIMEOUTS_MS) {
  return proxyActivities<PaymentActivities>({
    startToCloseTimeout: ACTIVITY_TIMEOUTS_MS[operation],
    heartbeatTimeout: HEARTBEAT_TIMEOUT,
    retry: { maximumAttempts: 1 },
  });
}

const pay = proxyFor('pay');
const query = proxyFor('query');
const cancel = proxyFor('cancel');
const revoke = proxyFor('revoke');

/**
 * An activity that failed (worker crash, timeout, unexpected error) tells nothing about the money:
 * it is an unknown outcome. The one exception is a pay that was never sent for lack of a key.
 */
function failedCall(operation: GatewayOperation, err: unknown): GatewayCallResult {
  if (!(err instanceof ActivityFailure)) throw err;
  const cause = err.cause;
  if (operation === 'pay' && cause instanceof ApplicationFailure && cause.type === UNKNOWN_TERMINAL) {
    return { operation, kind: 'definite_failure', reason: `not sent: ${cause.message}` };
  }
  const why =
    cause instanceof TimeoutFailure
      ? `activity ${cause.timeoutType ?? 'timeout'}`
      : `activity failed: ${cause?.message ?? err.message}`;
  return { operation, kind: 'unknown', reason: why };
}

async function guarded(
  operation: GatewayOperation,
  call: () => Promise<GatewayCallResult>,
): Promise<GatewayCallResult> {
  try {
    return await call();
  } catch (err) {
    return failedCall(operation, err);
  }
}

export const gateway = {
  pay: (input: PayInput) => guarded('pay', () => pay.payOrder(input)),
  query: (ref: OrderRef) => guarded('query', () => query.queryOrder(ref)),
  cancel: (ref: OrderRef) => guarded('cancel', () => cancel.cancelOrder(ref)),
  revoke: (ref: OrderRef & { sendBy?: number }) => guarded('revoke', () => revoke.revokeOrder(ref)),
};

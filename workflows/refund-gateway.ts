import { ActivityFailure, TimeoutFailure, proxyActivities } from '@temporalio/workflow';
import type { RefundActivities, RefundCallInput, RefundQueryInput } from '../activities/refund-activities';
import type { GatewayCallResult, GatewayOperation } from './types';

/**
 * The refund's activity options. Every gateway activity runs once (maximumAttempts 1): the workflow owns
 * the schedule and re-sends a refund only deliberately, with the same refund_request_no. startToClose
 * stays above the client's own call deadline (query 15 s, refund 35 s: activities/gateway/timeouts.ts).
 */
const query = proxyActivities<RefundActivities>({
  startToCloseTimeout: '30 seconds',
  heartbeatTimeout: '10 seconds',
  retry: { maximumAttempts: 1 },
});
const refund = proxyActivities<RefundActivities>({
  startToCloseTimeout: '50 seconds',
  heartbeatTimeout: '10 seconds',
  retry: { maximumAttempts: 1 },
});
/** Admission: pure and quick, so a few retries cover a worker lost mid-way (as the payment's). */
export const { admitRefund } = proxyActivities<RefundActivities>({
  startToCloseTimeout: '10 seconds',
  retry: { maximumAttempts: 5, initialInterval: '200 milliseconds' },
});

/** An activity that failed (worker crash, timeout, no key) tells nothing about the money: unknown. */
async function guarded(
  operation: GatewayOperation,
  call: () => Promise<GatewayCallResult>,
): Promise<GatewayCallResult> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    const cause = err.cause;
    const why =
      cause instanceof TimeoutFailure
        ? `activity ${cause.timeoutType ?? 'timeout'}`
        : `activity failed: ${cause?.message ?? err.message}`;
    return { operation, kind: 'unknown', reason: why };
  }
}

export const refundGateway = {
  query: (input: RefundQueryInput) => guarded('query', () => query.queryRefund(input)),
  refund: (input: RefundCallInput) => guarded('refund', () => refund.refundOrder(input)),
};

import {
  ActivityFailure,
  ApplicationFailure,
  TimeoutFailure,
  inWorkflowContext,
  proxyActivities,
  setCurrentDetails,
} from '@temporalio/workflow';
import type { OrderRef, PayInput, PaymentActivities } from '../activities/payment-activities';
import { callSummary, currentDetails, nextCall } from './details';
import {
  UNKNOWN_TERMINAL,
  type CallStep,
  type GatewayCallResult,
  type GatewayOperation,
  type PaymentStatus,
} from './types';

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

/**
 * This workflow's payment, as SagaState last showed it (showInWebUi). Module state is per workflow
 * execution: SDK 1.24 loads the workflow modules once per execution (the activator's own module
 * cache), on replay too, so this is as deterministic as the SagaState it points at.
 */
let shown: PaymentStatus | undefined;

/** A call's step and number as the caller will record them; without it they are read from the status. */
export interface CallName {
  step: CallStep;
  attempt: number;
}

/**
 * A proxy per call, each operation with its own startToClose, and the call's step as its summary
 * (the Web UI's event history and timeline: "confirm query 4", "cancel #3 of the schedule"). The
 * summary is user metadata on the command: replay does not compare it (core checks activity id
 * and type only). Every gateway activity runs once.
 */
function proxyFor(operation: keyof typeof ACTIVITY_TIMEOUTS_MS, name?: CallName) {
  const { step, attempt } = name ?? nextCall(shown ?? { state: 'PAYING', calls: [] }, operation);
  return proxyActivities<PaymentActivities>({
    startToCloseTimeout: ACTIVITY_TIMEOUTS_MS[operation],
    heartbeatTimeout: HEARTBEAT_TIMEOUT,
    retry: { maximumAttempts: 1 },
    summary: callSummary(step, attempt),
  });
}

/**
 * Called by SagaState whenever the payment's status changes: the Web UI's current details follow
 * it (details.ts; not a command, read by the UI through the SDK's metadata query), and the next
 * activity is named from it. Cosmetic, so it never fails the workflow task.
 */
export function showInWebUi(status: PaymentStatus, barcode: string | undefined, closeCheckDue = false): void {
  shown = status;
  if (!inWorkflowContext()) return; // SagaState in a unit test
  try {
    setCurrentDetails(currentDetails(status, Date.now(), { barcode, closeCheckDue }));
  } catch {
    setCurrentDetails(`${status.state} (the details could not be rendered; the Queries tab → status has them)`);
  }
}

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

/** The gateway calls; `name` (optional) says which step a call belongs to, for its summary. */
export const gateway = {
  pay: (input: PayInput, name?: CallName) => guarded('pay', () => proxyFor('pay', name).payOrder(input)),
  query: (ref: OrderRef, name?: CallName) => guarded('query', () => proxyFor('query', name).queryOrder(ref)),
  cancel: (ref: OrderRef, name?: CallName) => guarded('cancel', () => proxyFor('cancel', name).cancelOrder(ref)),
  revoke: (ref: OrderRef & { sendBy?: number }, name?: CallName) =>
    guarded('revoke', () => proxyFor('revoke', name).revokeOrder(ref)),
};

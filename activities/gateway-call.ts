import { ApplicationFailure, Context, log } from '@temporalio/activity';
import { activityCallSignal, withHeartbeats } from './activity-limits';
import type { CallLimits } from './gateway/call-limits';
import { NOT_SENT } from './gateway/classify';
import { UnknownTerminalError } from './gateway/client';
import { UNKNOWN_TERMINAL_CODE, recordGatewayCall } from './metrics';
import { UNKNOWN_TERMINAL, type GatewayCallResult, type GatewayOperation } from '../workflows/types';

/** Which order (and refund) a gateway call is about: what its log line and metrics name, nothing more. */
export interface GatewayCallRef {
  terminalSn: string;
  clientSn?: string;
  sn?: string;
  refundRequestNo?: string;
}

/**
 * Runs one gateway call inside the current activity and records it: the payment's and the refund's
 * activities each make exactly one call through here and return its classified result; the workflow owns
 * every retry. The call ends with its activity (money-rules R5): it gets the activity's call signal
 * (Temporal's cancellation, or its startToClose running out) and heartbeats while it runs. A terminal with
 * no key fails non-retryable UNKNOWN_TERMINAL, nothing sent. A call cut short by Temporal's cancellation
 * ends the activity cancelled, as the SDK expects (an answer read before it arrived is still returned).
 * The gateway refusing our signature calls `onIllegalSign` (a check-in is due); the result is unchanged.
 * Only the ids of `ref` are logged: never the request's other fields, and never the terminal key.
 */
export async function runGatewayCall(
  operation: GatewayOperation,
  ref: GatewayCallRef,
  call: (limits: CallLimits) => Promise<GatewayCallResult>,
  onIllegalSign?: (terminalSn: string) => void,
): Promise<GatewayCallResult> {
  const ids: GatewayCallRef = { terminalSn: ref.terminalSn, clientSn: ref.clientSn, sn: ref.sn };
  if (ref.refundRequestNo !== undefined) ids.refundRequestNo = ref.refundRequestNo;
  const started = performance.now();
  const ctx = Context.current();
  const activity = activityCallSignal(ctx, started);
  let result: GatewayCallResult;
  try {
    result = await withHeartbeats(ctx, call({ signal: activity.signal }));
  } catch (err) {
    if (err instanceof UnknownTerminalError) {
      recordGatewayCall(operation, 'not_sent', { errorCode: UNKNOWN_TERMINAL_CODE });
      log.warn('gateway call not sent: no key for this terminal', { operation, ...ids });
      throw ApplicationFailure.nonRetryable(err.message, UNKNOWN_TERMINAL);
    }
    recordGatewayCall(operation, 'error', {}, performance.now() - started);
    throw err;
  } finally {
    activity.dispose();
  }
  const latencyMs = Math.round(performance.now() - started);
  const sent = !result.reason.startsWith(NOT_SENT);
  recordGatewayCall(operation, sent ? result.kind : 'not_sent', result, sent ? latencyMs : undefined);
  log.info('gateway call', {
    operation,
    ...ids,
    sn: result.order?.sn ?? ids.sn,
    kind: result.kind,
    reason: result.reason,
    errorCode: result.errorCode,
    orderStatus: result.order?.orderStatus,
    transportError: result.transportError,
    latencyMs,
  });
  if (result.transportError === 'ACTIVITY_CANCELLED' && ctx.cancellationSignal.aborted) {
    throw ctx.cancellationSignal.reason;
  }
  if (result.errorCode === 'ILLEGAL_SIGN') {
    log.warn('gateway refused the signature: requesting a check-in', { operation, ...ids });
    onIllegalSign?.(ref.terminalSn);
  }
  return result;
}

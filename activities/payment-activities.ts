import { ApplicationFailure, Context, log } from '@temporalio/activity';
import { activityCallSignal, withHeartbeats } from './activity-limits';
import type { CallLimits } from './gateway/call-limits';
import { NOT_SENT } from './gateway/classify';
import { type GatewayClient, UnknownTerminalError } from './gateway/client';
import { UNKNOWN_TERMINAL_CODE, recordGatewayCall } from './metrics';
import type { OrderLookupWire, PayRequestWire } from './gateway/models';
import {
  UNKNOWN_TERMINAL,
  type GatewayCallResult,
  type GatewayOperation,
  type PaymentRequest,
} from '../workflows/types';

/** What the pay activity needs: the request minus the saga's timing. */
export type PayInput = Omit<PaymentRequest, 'timing'> & {
  /**
   * Unix ms: pay's send deadline, counted from the payment's start (money-rules R5: past it the barcode is
   * stale and the till has moved on). A pay that would leave the worker after it is not sent and the
   * activity returns a definite failure "not sent: …". Absent (payments started before it existed): none.
   */
  sendBy?: number;
};

/** An order to look up, cancel or revoke. `sn` (the gateway's id) is preferred when known. */
export interface OrderRef {
  terminalSn: string;
  clientSn: string;
  sn?: string;
}

function toPayWire(input: PayInput): PayRequestWire {
  const wire: PayRequestWire = {
    terminal_sn: input.terminalSn,
    client_sn: input.clientSn,
    total_amount: String(input.amountFen),
    dynamic_id: input.dynamicId,
    subject: input.subject,
    operator: input.operator,
  };
  if (input.payway !== undefined) wire.payway = input.payway;
  if (input.description !== undefined) wire.description = input.description;
  if (input.reflect !== undefined) wire.reflect = input.reflect;
  return wire;
}

function toLookupWire(ref: OrderRef): OrderLookupWire {
  return ref.sn
    ? { terminal_sn: ref.terminalSn, sn: ref.sn, client_sn: ref.clientSn }
    : { terminal_sn: ref.terminalSn, client_sn: ref.clientSn };
}

/**
 * The saga's gateway activities. Each makes exactly one call and returns its classified result;
 * the workflow owns every retry and schedule. The call ends with its activity (money-rules R5): when
 * Temporal cancels the activity the call is aborted (held back if still queued) and the activity ends
 * cancelled; when the activity's time runs out the call is aborted and its result returned in time.
 */
export function createActivities(deps: {
  gateway: GatewayClient;
  /**
   * Called when the gateway refuses our signature: the key may have rotated away, so a check-in is
   * due. Must not throw or wait long; the call's result is returned unchanged (an unknown outcome).
   */
  onIllegalSign?: (terminalSn: string) => void;
}) {
  async function run(
    operation: GatewayOperation,
    ref: { terminalSn: string; clientSn: string; sn?: string },
    call: (limits: CallLimits) => Promise<GatewayCallResult>,
  ): Promise<GatewayCallResult> {
    const { clientSn, terminalSn } = ref;
    const knownSn = ref.sn;
    const started = performance.now();
    const ctx = Context.current();
    const activity = activityCallSignal(ctx, started);
    let result: GatewayCallResult;
    try {
      result = await withHeartbeats(ctx, call({ signal: activity.signal }));
    } catch (err) {
      if (err instanceof UnknownTerminalError) {
        recordGatewayCall(operation, 'not_sent', { errorCode: UNKNOWN_TERMINAL_CODE });
        log.warn('gateway call not sent: no key for this terminal', { operation, clientSn, sn: knownSn, terminalSn });
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
      clientSn,
      sn: result.order?.sn ?? knownSn,
      terminalSn,
      kind: result.kind,
      reason: result.reason,
      errorCode: result.errorCode,
      orderStatus: result.order?.orderStatus,
      transportError: result.transportError,
      latencyMs,
    });
    // Cut short by Temporal's cancellation: the activity ends cancelled, as the SDK expects. An answer
    // read before the cancellation arrived is still returned.
    if (result.transportError === 'ACTIVITY_CANCELLED' && ctx.cancellationSignal.aborted) {
      throw ctx.cancellationSignal.reason;
    }
    if (result.errorCode === 'ILLEGAL_SIGN') {
      log.warn('gateway refused the signature: requesting a check-in', { operation, clientSn, terminalSn });
      deps.onIllegalSign?.(terminalSn);
    }
    return result;
  }

  return {
    payOrder: (input: PayInput) =>
      run('pay', input, (limits) =>
        deps.gateway.pay(toPayWire(input), input.sendBy === undefined ? limits : { ...limits, sendBy: input.sendBy }),
      ),
    queryOrder: (ref: OrderRef) => run('query', ref, (limits) => deps.gateway.query(toLookupWire(ref), limits)),
    cancelOrder: (ref: OrderRef) => run('cancel', ref, (limits) => deps.gateway.cancel(toLookupWire(ref), limits)),
    // A revoke carries the revoke window's end as its send deadline: none reaches the gateway after it (R5).
    revokeOrder: (ref: OrderRef & { sendBy?: number }) =>
      run('revoke', ref, (limits) =>
        deps.gateway.revoke(toLookupWire(ref), ref.sendBy === undefined ? limits : { ...limits, sendBy: ref.sendBy }),
      ),
  };
}

export type PaymentActivities = ReturnType<typeof createActivities>;

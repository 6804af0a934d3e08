import type { CallLimits } from './gateway/call-limits';
import type { GatewayClient } from './gateway/client';
import type { OrderLookupWire, PayRequestWire } from './gateway/models';
import { runGatewayCall } from './gateway-call';
import type { GatewayCallResult, GatewayOperation, PaymentRequest } from '../workflows/types';

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
  const run = (operation: GatewayOperation, ref: OrderRef, call: (limits: CallLimits) => Promise<GatewayCallResult>) =>
    runGatewayCall(operation, ref, call, deps.onIllegalSign);

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

import type { CallLimits } from './gateway/call-limits';
import type { GatewayClient } from './gateway/client';
import type { OrderLookupWire, RefundRequestWire } from './gateway/models';
import { runGatewayCall } from './gateway-call';
import { resolveRefundTiming } from '../workflows/refund-timing';
import type { RefundRequest, RefundResolvedTiming } from '../workflows/refund-types';
import { validateRefundRequest } from '../workflows/refund-validation';
import type { FieldProblem } from '../workflows/validation';
import type { GatewayCallResult, GatewayOperation } from '../workflows/types';

/** An order to look up or refund: `sn` preferred when known, `client_sn` sent along when given. */
export interface RefundOrderRef {
  terminalSn: string;
  clientSn?: string;
  sn?: string;
}

/** A query, optionally for one refund of the order (reference §4.5 `refund_request_no`). */
export type RefundQueryInput = RefundOrderRef & { refundRequestNo?: string };

/** One refund call. The same refundRequestNo on every attempt (reference §4.6, §10). */
export interface RefundCallInput extends RefundOrderRef {
  refundRequestNo: string;
  amountFen: number;
  operator: string;
  /** Unix ms: the refund's deadline. A refund that would reach the gateway after it is not sent (R5). */
  sendBy?: number;
}

export type RefundAdmission =
  { admitted: true; timing: RefundResolvedTiming } | { admitted: false; problems: FieldProblem[] };

/**
 * Checks a refund request and resolves its timing, as an activity so the answer is recorded in history
 * (money rules R8: a later change of a rule or a default changes new refunds only). Pure; nothing is sent.
 */
export function admitRefund({
  request,
  startedAt,
}: {
  request: RefundRequest;
  startedAt: number;
}): Promise<RefundAdmission> {
  const problems = validateRefundRequest(request);
  if (problems.length > 0) return Promise.resolve({ admitted: false, problems });
  return Promise.resolve({ admitted: true, timing: resolveRefundTiming(request.timing, startedAt) });
}

function lookupWire(ref: RefundOrderRef): OrderLookupWire {
  const wire: OrderLookupWire = { terminal_sn: ref.terminalSn };
  if (ref.sn !== undefined) wire.sn = ref.sn;
  if (ref.clientSn !== undefined) wire.client_sn = ref.clientSn;
  return wire;
}

/**
 * The refund workflow's gateway activities (workflows/refund-saga.ts). Each makes exactly one call and
 * returns its classified result; the workflow owns every retry. Like the payment's activities, the call
 * ends with its activity (R5) and the terminal key never leaves the gateway client.
 */
export function createRefundActivities(deps: { gateway: GatewayClient; onIllegalSign?: (terminalSn: string) => void }) {
  const run = (
    operation: GatewayOperation,
    ref: RefundOrderRef & { refundRequestNo?: string },
    call: (limits: CallLimits) => Promise<GatewayCallResult>,
  ) => runGatewayCall(operation, ref, call, deps.onIllegalSign);

  return {
    /** Query the order; with `refundRequestNo`, the gateway's answer about that refund (where supported). */
    queryRefund: (input: RefundQueryInput) => {
      const wire: OrderLookupWire & { refund_request_no?: string } = lookupWire(input);
      if (input.refundRequestNo !== undefined) wire.refund_request_no = input.refundRequestNo;
      return run('query', input, (limits) => deps.gateway.query(wire, limits));
    },
    refundOrder: (input: RefundCallInput) => {
      const wire: RefundRequestWire = {
        ...lookupWire(input),
        refund_request_no: input.refundRequestNo,
        refund_amount: String(input.amountFen),
        operator: input.operator,
      };
      return run('refund', input, (limits) =>
        deps.gateway.refund(wire, input.sendBy === undefined ? limits : { ...limits, sendBy: input.sendBy }),
      );
    },
  };
}

export type RefundActivities = ReturnType<typeof createRefundActivities> & { admitRefund: typeof admitRefund };

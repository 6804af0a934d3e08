import { ApplicationFailure, Context, log } from '@temporalio/activity';
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
export type PayInput = Omit<PaymentRequest, 'timing'>;

/** An order to look up, cancel or revoke. `sn` (the gateway's id) is preferred when known. */
export interface OrderRef {
  terminalSn: string;
  clientSn: string;
  sn?: string;
}

const HEARTBEAT_EVERY_MS = 2_000;

/** Heartbeats while a call is in flight, so a dead worker is noticed in seconds, not at startToClose. */
async function withHeartbeats<T>(work: Promise<T>): Promise<T> {
  const timer = setInterval(() => Context.current().heartbeat(), HEARTBEAT_EVERY_MS);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
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
 * the workflow owns every retry and schedule.
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
    call: () => Promise<GatewayCallResult>,
  ): Promise<GatewayCallResult> {
    const { clientSn, terminalSn } = ref;
    const knownSn = ref.sn;
    const started = performance.now();
    try {
      const result = await withHeartbeats(call());
      const latencyMs = Math.round(performance.now() - started);
      recordGatewayCall(operation, result.kind, result, latencyMs);
      log.info('gateway call', {
        operation,
        clientSn,
        sn: result.order?.sn ?? knownSn,
        terminalSn,
        kind: result.kind,
        reason: result.reason,
        errorCode: result.errorCode,
        orderStatus: result.order?.orderStatus,
        latencyMs,
      });
      if (result.errorCode === 'ILLEGAL_SIGN') {
        log.warn('gateway refused the signature: requesting a check-in', { operation, clientSn, terminalSn });
        deps.onIllegalSign?.(terminalSn);
      }
      return result;
    } catch (err) {
      if (err instanceof UnknownTerminalError) {
        recordGatewayCall(operation, 'not_sent', { errorCode: UNKNOWN_TERMINAL_CODE });
        log.warn('gateway call not sent: no key for this terminal', { operation, clientSn, sn: knownSn, terminalSn });
        throw ApplicationFailure.nonRetryable(err.message, UNKNOWN_TERMINAL);
      }
      recordGatewayCall(operation, 'error', {}, performance.now() - started);
      throw err;
    }
  }

  return {
    payOrder: (input: PayInput) => run('pay', input, () => deps.gateway.pay(toPayWire(input))),
    queryOrder: (ref: OrderRef) => run('query', ref, () => deps.gateway.query(toLookupWire(ref))),
    cancelOrder: (ref: OrderRef) => run('cancel', ref, () => deps.gateway.cancel(toLookupWire(ref))),
    revokeOrder: (ref: OrderRef) => run('revoke', ref, () => deps.gateway.revoke(toLookupWire(ref))),
  };
}

export type PaymentActivities = ReturnType<typeof createActivities>;

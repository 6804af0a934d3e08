import { log, metricMeter } from '@temporalio/workflow';
import { ESCALATIONS_METRIC } from './metrics';
import type { RefundStatus } from './refund-types';
import type { GatewayCallResult } from './types';

/*
 * Business metrics and log lines of the refund workflow, replay-safe as workflows/metrics.ts explains.
 * Labels are small fixed sets: never a client_sn, sn, terminal or refund number (those are in the logs).
 */

/** Counter, label `outcome`: the first outcome of each refund (REFUNDED, REFUSED, NEEDS_ATTENTION, INVALID_REQUEST). */
export const REFUNDS_METRIC = 'upay_refunds_total';
/** Counter, label `state`: the final state of each refund when its workflow completes. */
export const REFUNDS_CLOSED_METRIC = 'upay_refunds_closed_total';
/** Counter, label `kind`: refund attempts by the classifier's verdict. */
export const REFUND_ATTEMPTS_METRIC = 'upay_refund_attempts_total';
/** Counter, label `resolution`: operator resolutions of refunds in NEEDS_ATTENTION. */
export const REFUND_RESOLUTIONS_METRIC = 'upay_refund_resolutions_total';

function count(name: string, description: string, labels: Record<string, string>): void {
  metricMeter.createCounter(name, '', description).add(1, labels);
}

function ids(s: RefundStatus): Record<string, string> {
  return {
    terminalSn: s.terminalSn,
    refundRequestNo: s.refundRequestNo,
    ...(s.clientSn !== undefined ? { clientSn: s.clientSn } : {}),
    ...(s.sn !== undefined ? { sn: s.sn } : {}),
  };
}

export function countInvalidRefund(): void {
  count(REFUNDS_METRIC, 'Refunds by first outcome', { outcome: 'INVALID_REQUEST' });
}

/** The refund has its outcome; an escalation is also counted in upay_escalations_total, stage `refund`. */
export function countRefundOutcome(s: RefundStatus): void {
  count(REFUNDS_METRIC, 'Refunds by first outcome', { outcome: s.state });
  log.info('refund outcome', { ...ids(s), outcome: s.state, amountFen: s.amountFen, refusal: s.refusal?.code });
  if (s.state === 'NEEDS_ATTENTION') {
    count(ESCALATIONS_METRIC, 'Payments moved to NEEDS_ATTENTION, by stage', { stage: 'refund' });
    log.info('refund needs attention', { ...ids(s), reason: s.escalation?.reason });
  }
}

export function countRefundAttempt(result: GatewayCallResult): void {
  count(REFUND_ATTEMPTS_METRIC, 'Refund attempts by result', { kind: result.kind });
}

export function countRefundResolution(s: RefundStatus): void {
  const resolution = s.resolution?.resolution ?? 'NONE';
  count(REFUND_RESOLUTIONS_METRIC, 'Refund resolutions by resolution', { resolution });
  log.info('refund resolved by an operator', { ...ids(s), resolution, operator: s.resolution?.operator });
}

export function countRefundClosed(s: RefundStatus): void {
  count(REFUNDS_CLOSED_METRIC, 'Refunds by final state', { state: s.state });
  log.info('refund closed', { ...ids(s), state: s.state });
}

import { log, metricMeter } from '@temporalio/workflow';
import type { GatewayCallResult, PaymentState, PaymentStatus } from './types';

/*
 * Business metrics and log lines of the saga. Workflow code, so replay-safe by the SDK: the workflow
 * `metricMeter` and `log` send nothing while a history is replayed (`workflowInfo().unsafe.isReplaying`,
 * sinks with callDuringReplay false), so a payment is counted once however often it is replayed.
 * Neither issues a command, so adding or moving a call here cannot break determinism. The worker
 * adds the labels `namespace`, `taskQueue` and `workflowType`; the log lines get `workflowId`, `runId`.
 * Every other label is a small fixed set: never a client_sn, sn or terminal (those are in the logs).
 */

/** Counter, label `outcome`: the first outcome of each payment (PAID, FAILED, CANCELED, NEEDS_ATTENTION, INVALID_REQUEST). */
export const PAYMENTS_METRIC = 'upay_payments_total';
/** Counter, label `state`: the final state of each payment when its workflow completes (REVOKED included). */
export const PAYMENTS_CLOSED_METRIC = 'upay_payments_closed_total';
/** Counter, label `kind`: confirm queries after a pay without a definite answer. */
export const CONFIRM_POLLS_METRIC = 'upay_confirm_polls_total';
/** Counter, label `kind`: cancel (冲正) attempts. */
export const CANCEL_ATTEMPTS_METRIC = 'upay_cancel_attempts_total';
/** Counter, label `stage`: every move to NEEDS_ATTENTION (pay, confirm, cancel, revoke, close). */
export const ESCALATIONS_METRIC = 'upay_escalations_total';
/** Counter, label `result`: revoke requests as they end (REVOKED, REFUSED, NEEDS_ATTENTION, NOT_NEEDED). */
export const REVOKES_METRIC = 'upay_revokes_total';
/** Counter, label `resolution`: operator resolutions of NEEDS_ATTENTION. */
export const RESOLUTIONS_METRIC = 'upay_resolutions_total';

export type EscalationStage = 'pay' | 'confirm' | 'cancel' | 'revoke' | 'close' | 'recheck';

/** Where a payment was when it escalated, from its state just before. */
export function stageOf(before: PaymentState): EscalationStage {
  switch (before) {
    case 'PAYING':
      return 'pay';
    case 'CONFIRMING':
      return 'confirm';
    case 'CANCELING':
      return 'cancel';
    case 'REVOKING':
      return 'revoke';
    default:
      return 'close'; // the check against the gateway before the workflow closes
  }
}

function count(name: string, description: string, labels: Record<string, string>): void {
  metricMeter.createCounter(name, '', description).add(1, labels);
}

/** The payment's identifiers for a log line (workflowId is added by the SDK). */
function ids(status: PaymentStatus): Record<string, string> {
  return { clientSn: status.clientSn, terminalSn: status.terminalSn, ...(status.sn ? { sn: status.sn } : {}) };
}

/** A request that failed validation: nothing was sent. */
export function countInvalidRequest(): void {
  count(PAYMENTS_METRIC, 'Payments by first outcome', { outcome: 'INVALID_REQUEST' });
}

/** The payment has its first outcome (status.state); `before` is the state it left. */
export function countOutcome(status: PaymentStatus, before: PaymentState): void {
  count(PAYMENTS_METRIC, 'Payments by first outcome', { outcome: status.state });
  log.info('payment outcome', { ...ids(status), outcome: status.state, amountFen: status.amountFen });
  if (status.state === 'NEEDS_ATTENTION') countEscalation(status, stageOf(before));
}

export function countEscalation(status: PaymentStatus, stage: EscalationStage): void {
  count(ESCALATIONS_METRIC, 'Payments moved to NEEDS_ATTENTION, by stage', { stage });
  log.info('payment needs attention', { ...ids(status), stage, reason: status.escalation?.reason });
}

export function countConfirmPoll(result: GatewayCallResult): void {
  count(CONFIRM_POLLS_METRIC, 'Confirm queries by result', { kind: result.kind });
}

export function countCancelAttempt(result: GatewayCallResult): void {
  count(CANCEL_ATTEMPTS_METRIC, 'Cancel attempts by result', { kind: result.kind });
}

/**
 * A revoke request has ended (status.revoke.status); a revoke that ended in NEEDS_ATTENTION is also
 * an escalation at stage `revoke`.
 */
export function countRevoke(status: PaymentStatus): void {
  const result = status.revoke?.status ?? 'NONE';
  count(REVOKES_METRIC, 'Revoke requests by result', { result });
  log.info('revoke finished', { ...ids(status), result, detail: status.revoke?.detail, state: status.state });
  if (result === 'NEEDS_ATTENTION') countEscalation(status, 'revoke');
}

export function countResolution(status: PaymentStatus): void {
  const resolution = status.resolution?.resolution ?? 'NONE';
  count(RESOLUTIONS_METRIC, 'Operator resolutions by resolution', { resolution });
  log.info('payment resolved by an operator', { ...ids(status), resolution, operator: status.resolution?.operator });
}

/** The workflow completes with this final state. */
export function countClosed(status: PaymentStatus): void {
  count(PAYMENTS_CLOSED_METRIC, 'Payments by final state', { state: status.state });
  log.info('payment closed', { ...ids(status), state: status.state });
}

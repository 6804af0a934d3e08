import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { notOurs, type RefundDoubt, type RefundTarget } from './refund-decisions';
import { findRefundTransition, type RefundTransitionWhy } from './refund-transitions';
import type {
  RefundCallStep,
  RefundIgnoredMessage,
  RefundRequest,
  RefundResolveRequest,
  RefundResolvedTiming,
  RefundState,
  RefundStatus,
} from './refund-types';
import { ClientSnKey, RefundStateKey, SnKey, TerminalSnKey } from './search-attributes';
import { IllegalTransitionError } from './transitions';
import type { GatewayCallResult } from './types';

/**
 * The one mutable record of a refund, and the only code that changes it (as SagaState is the
 * payment's): state (rows of refund-transitions.ts only), calls, refusal, escalation, resolution, and
 * the doubt left by attempts without a definite answer. Search attributes follow every state change.
 */
export class RefundSagaState {
  readonly status: RefundStatus;
  private pendingResolve: RefundResolveRequest | undefined;
  /** Until when a refund of ours without a definite answer may still take effect (R3). */
  private doubtUntil = 0;
  private everInDoubt = false;

  constructor(
    readonly request: RefundRequest,
    timing: RefundResolvedTiming,
    startedAt: number,
    private readonly publish: (status: RefundStatus) => void = publishSearchAttributes,
  ) {
    this.status = {
      state: 'LOOKING',
      terminalSn: request.terminalSn,
      ...(request.clientSn !== undefined ? { clientSn: request.clientSn } : {}),
      ...(request.sn !== undefined ? { sn: request.sn } : {}),
      refundRequestNo: request.refundRequestNo,
      amountFen: request.amountFen,
      operator: request.operator,
      ...(request.reason !== undefined ? { reason: request.reason } : {}),
      startedAt,
      timing,
      calls: [],
      ignored: [],
    };
  }

  get state(): RefundState {
    return this.status.state;
  }

  get timing(): RefundResolvedTiming {
    return this.status.timing;
  }

  useTiming(timing: RefundResolvedTiming): void {
    this.status.timing = timing;
  }

  /** Called once admitted: publishes the search attributes a UI or CLI start did not set. */
  init(): void {
    this.publish(this.status);
  }

  move(to: RefundState, why: RefundTransitionWhy): void {
    const from = this.status.state;
    if (!findRefundTransition(from, to, why)) throw new IllegalTransitionError(`refund ${from} → ${to} (${why})`);
    this.status.state = to;
    this.publish(this.status);
  }

  refuse(code: string, detail: string, why: RefundTransitionWhy): void {
    this.status.refusal = { code, detail };
    this.move('REFUSED', why);
  }

  escalate(reason: string, why: RefundTransitionWhy): void {
    this.status.escalation = { reason, at: Date.now() };
    this.move('NEEDS_ATTENTION', why);
  }

  /** The order as the look found it: its sn and total pin every later answer to it (R1). */
  pinOrder(order: { sn: string; totalAmountFen?: number; netAmountFen: number; orderStatus: string }): void {
    this.status.sn = order.sn;
    this.status.order = {
      orderStatus: order.orderStatus,
      netAmountFen: order.netAmountFen,
      ...(order.totalAmountFen !== undefined ? { totalAmountFen: order.totalAmountFen } : {}),
    };
    this.publish(this.status);
  }

  /** What answers are checked against (R1). */
  get target(): RefundTarget {
    const { terminalSn, clientSn, sn, refundRequestNo, order } = this.status;
    return {
      terminalSn,
      refundRequestNo,
      ...(clientSn !== undefined ? { clientSn } : {}),
      ...(sn !== undefined ? { sn } : {}),
      ...(order?.totalAmountFen !== undefined ? { totalAmountFen: order.totalAmountFen } : {}),
    };
  }

  /** The order reference for query and refund: sn once known, and client_sn when given. */
  orderRef(): { terminalSn: string; clientSn?: string; sn?: string } {
    const { terminalSn, clientSn, sn } = this.status;
    return { terminalSn, ...(clientSn !== undefined ? { clientSn } : {}), ...(sn !== undefined ? { sn } : {}) };
  }

  record(step: RefundCallStep, attempt: number, result: GatewayCallResult): GatewayCallResult {
    this.status.calls.push({ ...result, at: Date.now(), step, attempt });
    return result;
  }

  /** Why this answer is about another order or refund (R1), or undefined. */
  notOurs(result: GatewayCallResult): string | undefined {
    return notOurs(this.target, result);
  }

  /** A refund sent at `sentAt` without a definite answer: it may still take effect for a while. */
  inDoubtFrom(sentAt: number): void {
    this.doubtUntil = Math.max(this.doubtUntil, sentAt + this.timing.requestDoubtMs);
    this.everInDoubt = true;
  }

  doubt(now: number): RefundDoubt {
    return { inDoubt: now < this.doubtUntil, everInDoubt: this.everInDoubt };
  }

  get doubtEnds(): number {
    return this.doubtUntil;
  }

  ignore(name: RefundIgnoredMessage['name'], why: string): void {
    this.status.ignored.push({ at: Date.now(), name, why });
  }

  requestResolve(request: RefundResolveRequest): void {
    this.pendingResolve = request;
  }

  get resolveRequested(): boolean {
    return this.pendingResolve !== undefined;
  }

  applyResolution(): void {
    const request = this.pendingResolve;
    if (!request) return;
    this.pendingResolve = undefined;
    this.status.resolution = { ...request, resolvedAt: Date.now() };
    this.move(request.resolution, 'operator resolution');
  }

  noteGatewayAtResolve(answer: string): void {
    if (this.status.resolution) this.status.resolution.gatewayAtResolve = { at: Date.now(), answer };
  }

  markClosed(): void {
    this.status.settledAt = Date.now();
  }
}

/**
 * Publishes the refund's search attributes that changed: RefundState, and the payment's ClientSn,
 * TerminalSn and Sn, so `ClientSn="…"` in the Web UI lists an order's payment and its refunds together.
 */
function publishSearchAttributes(s: RefundStatus): void {
  const wanted: SearchAttributeUpdatePair[] = [
    { key: RefundStateKey, value: s.state },
    { key: TerminalSnKey, value: s.terminalSn },
  ];
  if (s.clientSn !== undefined) wanted.push({ key: ClientSnKey, value: s.clientSn });
  if (s.sn !== undefined) wanted.push({ key: SnKey, value: s.sn });
  const current = workflowInfo().typedSearchAttributes;
  const changed = wanted.filter((pair) => current.get(pair.key) !== pair.value);
  if (changed.length > 0) upsertSearchAttributes(changed);
}

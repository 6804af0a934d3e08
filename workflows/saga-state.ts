import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { AmountFenKey, ClientSnKey, PaymentStateKey, SnKey, TerminalSnKey } from './search-attributes';
import { anotherOrder, cancellationEffect, type RefundsTold } from './decisions';
import { yuan } from './details';
import { showInWebUi } from './gateway-steps';
import {
  IllegalTransitionError,
  findTransition,
  isRevokeTransition,
  type SagaRules,
  type TransitionWhy,
} from './transitions';
import { FINAL_REFUND_STATES } from './types';
import type {
  CallStep,
  GatewayCallRecord,
  GatewayCallResult,
  IgnoredMessage,
  PaymentRequest,
  PaymentRefundRecord,
  PaymentState,
  PaymentStatus,
  RecheckRecord,
  RecheckRequest,
  ResolveRequest,
  RefundNotice,
  ResolvedTiming,
  RevokeRecord,
  RevokeRequest,
  RevokeStatus,
} from './types';

/** What the money did, as a phase found it: the payment's first outcome. */
export type Outcome =
  | { to: 'PAID' | 'FAILED' | 'CANCELED'; why: TransitionWhy }
  | { to: 'NEEDS_ATTENTION'; why: TransitionWhy; reason: string };

/**
 * The one mutable record of a payment, and the only code that changes it: state, revoke, escalation,
 * resolution, calls. Each change of state or revoke status must be a row of transitions.ts; anything
 * else throws IllegalTransitionError. Search attributes are published with every state change, so
 * the status query and the Web UI's list never disagree.
 */
export class SagaState {
  readonly status: PaymentStatus;
  /** An operator's resolve, waiting for the main flow to apply it. */
  private pendingResolve: ResolveRequest | undefined;
  /** Set by a transition marked checkAtClose, or by a request in doubt; cleared when the check has run. */
  private closeCheckDue = false;
  /** Until when a reversal of ours without a definite answer may still take effect (R3). */
  private reversalDoubtUntil = 0;
  /** Until when a pay of ours without a definite answer may still reach the gateway's books (R5). */
  private payDoubtUntil = 0;
  /** An answer has described an order that matches this payment (R1): ours to confirm or reverse. */
  ownOrderSeen = false;
  /** Pay was answered CLIENT_SN_CONFLICT: it created nothing; an order is adopted only if it matches (R1). */
  payCreatedNothing = false;

  constructor(
    readonly request: PaymentRequest,
    timing: ResolvedTiming,
    startedAt: number,
    /** Which rules this payment runs under (transitions.ts SagaRules). */
    readonly rules: SagaRules = 'money-rules',
    /** Where the state goes for the Web UI's list: the workflow's search attributes (a test may watch instead). */
    private readonly publish: (status: PaymentStatus) => void = publishSearchAttributes,
  ) {
    this.status = {
      state: 'PAYING',
      terminalSn: request.terminalSn,
      clientSn: request.clientSn,
      amountFen: request.amountFen,
      subject: request.subject,
      startedAt,
      timing,
      calls: [],
      ignored: [],
    };
  }

  get state(): PaymentState {
    return this.status.state;
  }

  get timing(): ResolvedTiming {
    return this.status.timing;
  }

  /** The timing admission resolved for this payment (activities/admission.ts). */
  useTiming(timing: ResolvedTiming): void {
    this.status.timing = timing;
  }

  /** Called once at start: fills in attributes the starter did not set (CLI and UI starts). */
  init(): void {
    this.publish(this.status);
    this.show();
  }

  /** Moves the payment, if the table has this row. */
  move(to: PaymentState, why: TransitionWhy): void {
    const from = this.status.state;
    const row = findTransition(from, to, why, this.rules);
    if (!row) throw new IllegalTransitionError(`${from} → ${to} (${why})`);
    if (row.checkAtClose) this.closeCheckDue = true;
    this.status.state = to;
    this.publish(this.status);
    this.show();
  }

  /** Applies what a phase decided the money did. */
  settle(outcome: Outcome): void {
    if (outcome.to === 'NEEDS_ATTENTION') this.escalate(outcome.why, outcome.reason);
    else this.move(outcome.to, outcome.why);
  }

  /** Hands the payment to a person, saying why in words an operator can act on. */
  escalate(why: TransitionWhy, reason: string): void {
    this.status.escalation = { reason, at: Date.now() };
    this.move('NEEDS_ATTENTION', why);
  }

  /**
   * Keeps one gateway call in the status, with the step it belongs to. The gateway's `sn` is taken
   * from the first answer about an order of ours (never from another order's: R1).
   */
  record(step: CallStep, attempt: number, result: GatewayCallResult): GatewayCallResult {
    const record: GatewayCallRecord = { ...result, at: Date.now(), step, attempt };
    this.status.calls.push(record);
    const foreign = this.anotherOrder(result) !== undefined;
    if (result.order && !foreign) this.ownOrderSeen = true;
    if (!this.status.sn && result.order?.sn && !foreign) this.status.sn = result.order.sn;
    this.show();
    return result;
  }

  /**
   * Why this answer is about another order than this payment's (R1), or undefined when it is ours
   * or names no order. Payments under the legacy rules took every answer as theirs.
   */
  anotherOrder(result: GatewayCallResult): string | undefined {
    return this.rules === 'legacy' ? undefined : anotherOrder(this.request, result);
  }

  /** A pay without a definite answer, sent at `sentAt`: "no such order" proves nothing for a while. */
  payInDoubtFrom(sentAt: number): void {
    if (this.rules === 'legacy' || this.payCreatedNothing) return;
    this.payDoubtUntil = sentAt + (this.timing.requestDoubtMs ?? 0);
  }

  /** Whether a pay of ours may still reach the gateway's books (R5). Never under the legacy rules. */
  payMayStillArrive(now: number): boolean {
    return now < this.payDoubtUntil;
  }

  /**
   * A cancel or revoke without a definite answer, sent at `sentAt`: it may still reverse the money
   * (R3), so refusals and PAID prove nothing until it can no longer, and the gateway is asked once
   * more before the workflow closes.
   */
  reversalInDoubtFrom(sentAt: number): void {
    if (this.rules === 'legacy') return;
    this.reversalDoubtUntil = Math.max(this.reversalDoubtUntil, sentAt + (this.timing.requestDoubtMs ?? 0));
    this.closeCheckDue = true;
  }

  reversalInDoubt(now: number): boolean {
    return now < this.reversalDoubtUntil;
  }

  /** When the last doubt about a reversal ends (0 when none). */
  get reversalDoubtEnds(): number {
    return this.reversalDoubtUntil;
  }

  /** The order reference for query, cancel and revoke: `sn` once the gateway has given one. */
  orderRef(): { terminalSn: string; clientSn: string; sn?: string } {
    const { terminalSn, clientSn, sn } = this.status;
    return sn ? { terminalSn, clientSn, sn } : { terminalSn, clientSn };
  }

  // --- messages from people (handlers record them; the main flow acts) ---

  /** A message that cannot be honoured; signals cannot be refused, so it is kept for the operator. */
  ignore(name: IgnoredMessage['name'], why: string): void {
    this.status.ignored.push({ at: Date.now(), name, why });
    this.show();
  }

  requestRevoke(request: RevokeRequest, via: RevokeRecord['via']): RevokeRecord {
    this.assertRevokeMove(this.status.revoke?.status ?? 'NONE', 'PENDING'); // once per payment
    const record: RevokeRecord = {
      operator: request.operator,
      reason: request.reason,
      via,
      requestedAt: Date.now(),
      status: 'PENDING',
    };
    this.status.revoke = record;
    this.show();
    return record;
  }

  /** Moves the revoke, if transitions.ts allows it; `detail` says why when it did not reverse. */
  moveRevoke(to: RevokeStatus, detail?: string): void {
    const revoke = this.status.revoke;
    this.assertRevokeMove(revoke?.status ?? 'NONE', to);
    revoke!.status = to;
    if (detail !== undefined) revoke!.detail = detail;
    this.show();
  }

  /** The gateway's word at the check before close, kept beside an operator's resolution (R7). */
  noteGatewayAtClose(orderStatus: string): void {
    if (this.status.resolution) this.status.resolution.gatewayAtClose = { at: Date.now(), orderStatus };
  }

  /** A note on the revoke without changing it (e.g. nothing was sent because the order was already reversed). */
  noteRevoke(detail: string): void {
    if (this.status.revoke) this.status.revoke.detail = detail;
    this.show();
  }

  requestResolve(request: ResolveRequest): void {
    this.pendingResolve = request;
  }

  get resolveRequested(): boolean {
    return this.pendingResolve !== undefined;
  }

  /** Applies an operator's resolve: the state becomes what the money actually did. */
  applyResolution(): void {
    const request = this.pendingResolve;
    if (!request) return;
    this.pendingResolve = undefined;
    this.status.resolution = { ...request, resolvedAt: Date.now() };
    this.move(request.resolution, 'operator resolution');
  }

  /**
   * Whether the gateway must be asked once more before the workflow closes: after a transition
   * marked checkAtClose or a reversal in doubt. (Legacy payments skipped it once revoked by the
   * gateway's own answer.)
   */
  get closeCheckNeeded(): boolean {
    if (this.rules === 'money-rules') return this.closeCheckDue;
    return this.closeCheckDue && (this.state === 'PAID' || this.status.resolution !== undefined);
  }

  closeCheckDone(): void {
    this.closeCheckDue = false;
  }

  /** The workflow has done all it will do. */
  markClosed(): void {
    this.status.settledAt = Date.now();
    this.show();
  }

  /** The Web UI's view follows every change: current details, the next activity's summary (details.ts). */
  private show(): void {
    showInWebUi(this.status, this.request.dynamicId, this.closeCheckNeeded);
  }

  // --- issue 15: a Temporal cancellation request (R6) and the operator's recheck ---

  /** This run honours a cancellation request as R6 says (patch `cancel-request-compensates`). */
  honoursCancellation = false;
  /** Rechecks asked for and not answered yet: the main flow queries at its next wait. */
  private readonly rechecksWaiting: RecheckRecord[] = [];

  /**
   * A Temporal cancellation request has arrived (R6). Before the outcome it means "do not take this
   * money"; after it, it is recorded in `ignored` and changes nothing (decisions.ts cancellationEffect).
   */
  requestCancellation(): void {
    if (this.status.cancellation) return;
    const { effect, why } = cancellationEffect(this.state);
    this.status.cancellation = { requestedAt: Date.now(), stateAtRequest: this.state, effect };
    if (why) this.ignore('cancel', why);
  }

  /** A cancellation request arrived before the outcome: the money must not be taken (R6). */
  get doNotTake(): boolean {
    return this.status.cancellation?.effect === 'DO_NOT_TAKE';
  }

  requestRecheck(request: RecheckRequest, via: RecheckRecord['via']): RecheckRecord {
    const record: RecheckRecord = {
      operator: request.operator,
      ...(request.note !== undefined ? { note: request.note } : {}),
      via,
      requestedAt: Date.now(),
      stateAtRequest: this.state,
    };
    (this.status.rechecks ??= []).push(record);
    this.rechecksWaiting.push(record);
    return record;
  }

  get recheckPending(): boolean {
    return this.rechecksWaiting.length > 0;
  }

  /** The attempt number of the next recheck query. */
  get nextRecheckAttempt(): number {
    return this.status.calls.filter((c) => c.step === 'recheck-query').length + 1;
  }

  /** Answers every recheck waiting with the query it made and what the saga did with the answer. */
  answerRechecks(query: GatewayCallResult, effect: string): void {
    const gateway = query.order?.orderStatus ?? query.errorCode ?? query.reason;
    for (const r of this.rechecksWaiting.splice(0)) Object.assign(r, { answeredAt: Date.now(), gateway, effect });
  }

  /** The workflow is closing: nothing more is asked of the gateway. */
  get closing(): boolean {
    return this.status.settledAt !== undefined;
  }

  // --- issue 16 part 3: the payment knows its refunds ---

  /** Until when the check at close waits for a refund told of to conclude (0: not waiting yet). */
  private refundWaitUntil = 0;
  /** The wait at close for refunds in flight is over (they concluded, or the payment went to a person). */
  private refundWaitOver = false;

  /**
   * A refund of this order, as its refund workflow told it (patch `payment-knows-refunds`): kept by
   * refund_request_no, as last told. The gateway's books changed, so they are checked at close.
   */
  recordRefund(notice: RefundNotice): PaymentRefundRecord {
    const refunds = (this.status.refunds ??= []);
    const now = Date.now();
    const known = refunds.find((r) => r.refundRequestNo === notice.refundRequestNo);
    const { refundRequestNo, amountFen, state } = notice;
    const record = known ?? { refundRequestNo, amountFen, state, firstToldAt: now, toldAt: now };
    Object.assign(record, { amountFen, state, toldAt: now });
    if (!known) refunds.push(record);
    this.closeCheckDue = true;
    this.show();
    return record;
  }

  /** The refunds told of, for the check at close and a recheck. */
  get refundsTold(): (RefundsTold & { inFlight: boolean }) | undefined {
    const refunds = this.status.refunds;
    if (!refunds || refunds.length === 0) return undefined;
    return {
      refundedFen: refunds.filter((r) => r.state === 'REFUNDED').reduce((sum, r) => sum + r.amountFen, 0),
      amountFen: this.status.amountFen,
      told: refunds.map((r) => `${r.refundRequestNo} ${yuan(r.amountFen)} ${r.state}`).join(', '),
      inFlight: this.refundsInFlight.length > 0,
    };
  }

  /** Refunds told of that may still move money (REFUNDING, NEEDS_ATTENTION). */
  get refundsInFlight(): PaymentRefundRecord[] {
    return (this.status.refunds ?? []).filter((r) => !FINAL_REFUND_STATES.includes(r.state));
  }

  /**
   * The refund that forbids a revoke: one that moved or may move money (the gateway refuses a revoke
   * after any refund). A refund REFUSED or NOT_REFUNDED moved nothing and forbids nothing.
   */
  get revokeBlockedBy(): PaymentRefundRecord | undefined {
    return (this.status.refunds ?? []).find((r) => r.state !== 'REFUSED' && r.state !== 'NOT_REFUNDED');
  }

  /** The wait at close for refunds in flight is due (they have not concluded and it has not ended). */
  get refundsToAwait(): boolean {
    return !this.refundWaitOver && this.refundsInFlight.length > 0;
  }

  /** Starts (once) the wait at close for refunds in flight; returns until when it lasts. */
  awaitRefundsUntil(maxMs: number): number {
    if (this.refundWaitUntil === 0) this.refundWaitUntil = Date.now() + maxMs;
    return this.refundWaitUntil;
  }

  /** The wait at close for refunds in flight ended, whatever it found. */
  refundWaitEnded(): void {
    this.refundWaitOver = true;
  }

  private assertRevokeMove(from: RevokeStatus | 'NONE', to: RevokeStatus): void {
    if (!isRevokeTransition(from, to)) throw new IllegalTransitionError(`revoke ${from} → ${to}`);
  }
}

/** Publishes whatever search attributes differ from the payment's status, in one history event. */
function publishSearchAttributes(s: PaymentStatus): void {
  const wanted: SearchAttributeUpdatePair[] = [
    { key: PaymentStateKey, value: s.state },
    { key: ClientSnKey, value: s.clientSn },
    { key: TerminalSnKey, value: s.terminalSn },
    { key: AmountFenKey, value: s.amountFen },
  ];
  if (s.sn) wanted.push({ key: SnKey, value: s.sn });
  const current = workflowInfo().typedSearchAttributes;
  const changed = wanted.filter((pair) => current.get(pair.key) !== pair.value);
  if (changed.length > 0) upsertSearchAttributes(changed);
}

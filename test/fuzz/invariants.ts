import { NO_REFUNDS, comparePayment, type PaymentRefunds } from '../../scripts/reconcile/reconcile';
import type { LedgerOrder, LedgerView, RequestLogEntry } from '../../simulator';
import type { RefundState, RefundStatus } from '../../workflows/refund-types';
import type { PaymentState, PaymentStatus } from '../../workflows/types';

/** One payment of a schedule, as the fuzz saw it. */
export interface PaymentRun {
  /** What the saga decided on its own: the workflow's close, or its first NEEDS_ATTENTION. */
  concluded: PaymentStatus;
  /** What each checkout start was told (the early return), when it got an outcome. */
  told?: PaymentState[];
  /** The scenario lets the gateway act later than the saga's doubt window (schedule.ts `beyondDoubt`). */
  beyondDoubt?: boolean;
  /**
   * The refunds of its day (started while it was open, or given back from a resolution) as their refund
   * workflows concluded them (scripts/reconcile `refundsOf`): the gateway keeps paid − refunded.
   */
  refunds?: PaymentRefunds;
}

export interface PaymentVerdict {
  violations: string[];
  /**
   * A beyond-doubt effect landed after the saga's last request, so the books disagree with a state
   * that agreed with them when the saga looked (money-rules R5 says a real gateway cannot do this;
   * reconciliation is what catches it). Not a violation; counted in the fuzz summary.
   */
  landedAfterClose: boolean;
}

/** The payment's own order: its terminal, its client_sn and its amount (money-rules R1). */
export function ownOrder(ledger: LedgerView, p: Pick<PaymentStatus, 'terminalSn' | 'clientSn' | 'amountFen'>) {
  return ledger.orders.find(
    (o) => o.terminal_sn === p.terminalSn && o.client_sn === p.clientSn && Number(o.total_amount) === p.amountFen,
  );
}

/** Orders under the payment's client_sn that are not its own: another terminal's, or another amount. */
export function otherOrders(ledger: LedgerView, p: Pick<PaymentStatus, 'terminalSn' | 'clientSn' | 'amountFen'>) {
  const own = ownOrder(ledger, p);
  return ledger.orders.filter((o) => o.client_sn === p.clientSn && o !== own);
}

/** What an order kept at `at` (movements are dated when they landed). */
export function keptAt(order: LedgerOrder | undefined, at: number): number {
  let kept = 0;
  for (const m of order?.movements ?? []) {
    if (m.at > at) continue;
    kept += m.kind === 'capture' ? m.amount_fen : -m.amount_fen;
  }
  return kept;
}

const isReversal = (r: RequestLogEntry) => r.endpoint === 'cancel' || r.endpoint === 'revoke';
const isRevoke = (r: RequestLogEntry) => r.endpoint === 'revoke' || r.endpoint.endsWith('/revoke');

/** Moves a revoke may make: reverse a PAID order, at once or through CANCEL_INPROGRESS (a slow revoke). */
const REVOKE_MOVES = ['PAID→CANCELED', 'PAID→CANCEL_INPROGRESS', 'CANCEL_INPROGRESS→CANCELED'];

/**
 * The promise to a merchant, checked for one payment once every delayed effect has landed: `ledger`
 * is the gateway's books then. What the money rules (../shared/spec/money-rules.md) say:
 * - closed ⇒ the state agrees with the books (scripts/reconcile `comparePayment`), or a person has it
 *   (NEEDS_ATTENTION, with a reason);
 * - told PAID ⇒ the gateway keeps the money, unless the operator revoked it or a person has it; never
 *   told PAID once a cancel was sent (R2);
 * - a revoke reported REFUSED ⇒ the money stayed (R3);
 * - no cancel or revoke ever sent for an order that is not the payment's (R1);
 * - and what held before: paid once, captured once, reversed once; a revoke only reverses PAID and only
 *   when asked, and reaches the gateway before the revoke window closes; every request signed.
 * For a beyond-doubt payment, an effect that landed after the saga's last request is judged by the
 * books as they were then (`landedAfterClose`), and REFUSED is not judged.
 */
export function checkPayment(run: PaymentRun, ledger: LedgerView): PaymentVerdict {
  const p = run.concluded;
  const v: string[] = [];
  const own = ownOrder(ledger, p);
  const others = otherOrders(ledger, p);
  const requests = ledger.requests.filter(
    (r) =>
      (r.terminal_sn === undefined || r.terminal_sn === p.terminalSn) &&
      (r.client_sn === p.clientSn || (own !== undefined && r.sn === own.sn)),
  );
  const kept = own?.kept_fen ?? 0;
  const refunds = run.refunds ?? NO_REFUNDS;
  /** What the gateway keeps of a payment that is PAID: its amount less its refunds REFUNDED. */
  const paidKeeps = p.amountFen - refunds.refundedFen;
  const lastLook = Math.max(0, ...requests.map((r) => r.at));
  let landedAfterClose = false;
  /** `holds` on the books now, or (beyond doubt) on the books as the saga last saw them. */
  const judge = (holds: (keptFen: number) => boolean, violation: string): void => {
    if (holds(kept)) return;
    if (run.beyondDoubt && holds(keptAt(own, lastLook))) landedAfterClose = true;
    else v.push(violation);
  };
  const books = `gateway kept ${kept} of ${p.amountFen} (${own?.order_status ?? 'no order of ours'})`;

  // Closed ⇒ the books agree, or a person has it.
  if (p.state === 'NEEDS_ATTENTION') {
    if (!p.escalation?.reason) v.push('NEEDS_ATTENTION without a reason');
  } else if (comparePayment(p, kept, refunds) === 'open') {
    v.push(`ended in ${p.state}${refunds.open > 0 ? ` with ${refunds.open} refunds not concluded` : ''}`);
  } else {
    const verdict = comparePayment(p, kept, refunds);
    const refunded = refunds.refundedFen > 0 ? ` (refunded ${refunds.refundedFen})` : '';
    judge((k) => comparePayment(p, k, refunds) === 'matched', `${verdict}: saga ${p.state}${refunded}, ${books}`);
  }

  // What the checkout was told.
  const told = [...new Set(run.told ?? [])]; // a duplicate start is told the same
  if (told.includes('PAID')) {
    if (p.state !== 'NEEDS_ATTENTION' && p.state !== 'REVOKED' && refunds.open === 0) {
      const less = refunds.refundedFen > 0 ? ` less ${refunds.refundedFen} refunded` : '';
      judge((k) => k === paidKeeps, `told PAID${less}, ${books}`);
    }
    if (p.calls.some((c) => c.step === 'cancel')) v.push('told PAID after a cancel was sent (R2)');
  }
  for (const state of told.filter((s) => s === 'FAILED' || s === 'CANCELED')) {
    if (p.state !== 'NEEDS_ATTENTION') judge((k) => k === 0, `told ${state}, ${books}`);
  }

  // What the operator was told.
  if (p.revoke?.status === 'REFUSED' && !run.beyondDoubt && refunds.open === 0 && kept !== paidKeeps) {
    v.push(`revoke reported REFUSED, ${books}${refunds.refundedFen > 0 ? `, refunded ${refunds.refundedFen}` : ''}`);
  }

  // R1: nothing reversed, nor sent to be reversed, that is not the payment's own order.
  for (const other of others) {
    const what = `another order (sn ${other.sn}, terminal ${other.terminal_sn}, ${other.total_amount} fen)`;
    for (const t of other.history) {
      if (t.cause === 'cancel' || t.cause === 'revoke') v.push(`a ${t.cause} moved ${what} ${t.from}→${t.to}`);
    }
    for (const r of requests.filter((r) => isReversal(r) && r.sn === other.sn)) {
      v.push(`a ${r.endpoint} was sent for ${what}`);
    }
    const blind = requests.filter(
      (r) => isReversal(r) && r.sn === undefined && other.created_at <= r.at && !(own && own.created_at <= r.at),
    );
    for (const r of blind) v.push(`a ${r.endpoint} by client_sn was sent while the order under it was ${what}`);
  }

  // Once each (another order's capture is its own business).
  const pays = ledger.counters.pay_calls_by_client_sn[p.clientSn] ?? 0;
  if (pays > 1) v.push(`client_sn paid ${pays} times`);
  const captures = own?.movements.filter((m) => m.kind === 'capture').length ?? 0;
  if (captures > 1) v.push(`order captured ${captures} times`);
  if (own && (ledger.counters.reversals_by_sn[own.sn] ?? 0) > 1) v.push('order reversed twice');

  // Revokes: only of PAID, only when asked, only inside the window.
  for (const t of own?.history ?? []) {
    if (t.cause !== 'revoke') continue;
    if (!REVOKE_MOVES.includes(`${t.from}→${t.to}`)) v.push(`revoke moved the order from ${t.from} to ${t.to}`);
    if (!p.revoke) v.push('the gateway saw a revoke nobody asked for');
  }
  const lateRevoke = requests.find((r) => isRevoke(r) && r.at >= p.timing.revokeWindowEnd);
  if (lateRevoke) v.push(`revoke reached the gateway ${lateRevoke.at - p.timing.revokeWindowEnd} ms after the window`);

  if (requests.some((r) => !r.signature_valid)) v.push('a gateway request was not correctly signed');
  return { violations: v, landedAfterClose };
}

/** The violations of `checkPayment` for a payment the saga concluded as `concluded`. */
export function paymentViolations(
  concluded: PaymentStatus,
  ledger: LedgerView,
  more: Omit<PaymentRun, 'concluded'> = {},
): string[] {
  return checkPayment({ concluded, ...more }, ledger).violations;
}

/** One refund request of a payment (one refund_request_no), as the fuzz saw it. */
export interface RefundRun {
  refundRequestNo: string;
  amountFen: number;
  /** What each start of it was told (the returns desk's early answer), when it got one. */
  told: RefundState[];
  /** What the refund workflow decided on its own: its close, or its first NEEDS_ATTENTION. */
  concluded: RefundStatus;
  /** Its final status, after an operator resolved an escalation. */
  final: RefundStatus;
}

const REFUND_FINAL: readonly RefundState[] = ['REFUNDED', 'REFUSED', 'NOT_REFUNDED', 'SETTLED_OUTSIDE'];

/**
 * The refunds of one payment's order, checked once every refund concluded (an escalation resolved by
 * an operator from the books) and every delayed refund effect landed; `ledger` is the books then:
 * - total refunded ≤ amount paid (captured − reversed);
 * - no refund counted twice: one movement per refund_request_no (`refunds_by_request` values are 1), none
 *   of a number nobody asked for, of the amount asked;
 * - REFUNDED (told, concluded or final) ⇔ the gateway holds that refund (its entry `landed`, its movement);
 * - REFUSED (told, concluded or final) or NOT_REFUNDED ⇒ nothing moved for that refund_request_no;
 * - every refund ends final (REFUNDED, REFUSED, NOT_REFUNDED, SETTLED_OUTSIDE), an escalation with a reason;
 * - every request on the order (refunds and their queries included) correctly signed.
 */
export function checkRefunds(
  payment: Pick<PaymentStatus, 'terminalSn' | 'clientSn' | 'amountFen'>,
  refunds: readonly RefundRun[],
  ledger: LedgerView,
): string[] {
  const v: string[] = [];
  const own = ownOrder(ledger, payment);
  if (!own) return refunds.length > 0 ? ['refunds ran, but the gateway holds no order of the payment'] : [];
  const paid = own.captured_fen - own.reversed_fen;
  if (own.refunded_fen > paid) v.push(`refunded ${own.refunded_fen} fen of ${paid} paid`);
  const moved = own.movements.filter((m) => m.kind === 'refund');
  if (moved.reduce((n, m) => n + m.amount_fen, 0) > paid) v.push(`refund movements exceed the ${paid} fen paid`);
  for (const [key, n] of Object.entries(ledger.counters.refunds_by_request)) {
    if (key.startsWith(`${own.sn}/`) && n !== 1) v.push(`refund ${key} counted ${n} times`);
  }
  const asked = new Set(refunds.map((r) => r.refundRequestNo));
  for (const m of moved) {
    if (!asked.has(m.refund_request_no ?? '')) v.push(`a refund nobody asked for moved ${m.amount_fen} fen`);
  }
  for (const r of refunds) {
    const what = `refund ${r.refundRequestNo} (${r.amountFen} fen)`;
    const mine = moved.filter((m) => m.refund_request_no === r.refundRequestNo);
    const entry = own.refunds.find((e) => e.refund_request_no === r.refundRequestNo);
    if (mine.length > 1) v.push(`${what} moved ${mine.length} times`);
    if (mine.some((m) => m.amount_fen !== r.amountFen)) v.push(`${what} moved ${mine[0]!.amount_fen} fen`);
    const holds = entry?.state === 'landed' && mine.length === 1;
    const movedAny = mine.length > 0 || entry?.state === 'landed';
    const said = new Set<RefundState>([...r.told, r.concluded.state, r.final.state]);
    if (said.has('REFUNDED') && !holds) {
      v.push(`${what} reported REFUNDED, the gateway does not hold it (${entry?.state ?? 'no such refund'})`);
    }
    if (holds && r.final.state !== 'REFUNDED' && r.final.state !== 'SETTLED_OUTSIDE') {
      v.push(`the gateway holds ${what}, the refund ended ${r.final.state}`);
    }
    for (const nothing of ['REFUSED', 'NOT_REFUNDED'] as const) {
      if (said.has(nothing) && movedAny) v.push(`${what} reported ${nothing}, the gateway moved it`);
    }
    if (!REFUND_FINAL.includes(r.final.state)) v.push(`${what} still ${r.final.state}`);
    if (r.concluded.state === 'NEEDS_ATTENTION' && !r.concluded.escalation?.reason) {
      v.push(`${what} NEEDS_ATTENTION without a reason`);
    }
  }
  const requests = ledger.requests.filter(
    (r) =>
      (r.terminal_sn === undefined || r.terminal_sn === payment.terminalSn) &&
      (r.client_sn === payment.clientSn || r.sn === own.sn),
  );
  if (requests.some((r) => !r.signature_valid)) v.push('a gateway request of a refund was not correctly signed');
  return v;
}

/** A revoke asked once the payment showed a refund REFUNDED (generator 4). */
export interface RevokeAfterRefund {
  via: 'signal' | 'update';
  /** The refund the payment showed REFUNDED, and when the fuzz saw it: absent when none showed in time. */
  seenRefunded?: { refundRequestNo: string; at: number };
  /** The revoke was accepted (not rejected as after the window): the payment must have refused it. */
  accepted?: boolean;
}

/**
 * What a payment knows of the refunds of its day (issue #16 part 3), once it and they concluded:
 * - every refund it was told of is one it has once (no refund counted twice), of the amount asked, and in
 *   the state its refund workflow ended in (a payment waits at close for a refund in flight);
 * - a revoke asked after the payment showed a refund REFUNDED is REFUSED, and no revoke reached the
 *   gateway after that (nothing sent), nor did a revoke move the order;
 * - a refund it started from a "give it back" resolution is recorded in the resolution in the state
 *   that refund ended in, and when it gave back all and ended REFUNDED the gateway keeps nothing
 *   (kept = paid − refunded = 0).
 */
export function checkPaymentKnowsRefunds(
  payment: PaymentStatus,
  sameDay: readonly RefundRun[],
  giveBacks: readonly RefundRun[],
  revokeAfterRefund: RevokeAfterRefund | undefined,
  ledger: LedgerView,
): string[] {
  const v: string[] = [];
  const closed = payment.state !== 'NEEDS_ATTENTION';
  const told = payment.refunds ?? [];
  const numbers = told.map((r) => r.refundRequestNo);
  for (const no of new Set(numbers)) {
    if (numbers.filter((n) => n === no).length > 1) v.push(`the payment holds refund ${no} twice`);
  }
  for (const record of told) {
    const run = sameDay.find((r) => r.refundRequestNo === record.refundRequestNo);
    if (!run) {
      if (!record.refundRequestNo.startsWith('R'))
        v.push(`the payment was told of refund ${record.refundRequestNo}, nobody asked for it`);
      continue;
    }
    if (record.amountFen !== run.amountFen)
      v.push(`the payment holds refund ${run.refundRequestNo} as ${record.amountFen} fen, it was ${run.amountFen}`);
    if (closed && record.state !== run.final.state)
      v.push(`the payment closed holding refund ${run.refundRequestNo} ${record.state}, it ended ${run.final.state}`);
  }
  const own = ownOrder(ledger, payment);
  const seen = revokeAfterRefund?.seenRefunded;
  if (seen) {
    const what = `a revoke asked after refund ${seen.refundRequestNo} showed REFUNDED`;
    if (revokeAfterRefund.accepted && payment.revoke && payment.revoke.status !== 'REFUSED')
      v.push(`${what} ended ${payment.revoke.status}, not REFUSED`);
    const sent = ledger.requests.filter(
      (r) =>
        (r.endpoint === 'revoke' || r.endpoint.endsWith('/revoke')) &&
        r.at >= seen.at &&
        (r.client_sn === payment.clientSn || (own !== undefined && r.sn === own.sn)),
    );
    if (sent.length > 0) v.push(`${what} reached the gateway (${sent.length} revoke requests)`);
    if (own?.history.some((t) => t.cause === 'revoke')) v.push(`${what}: a revoke moved the order`);
  }
  const started = payment.resolution?.refundStarted;
  for (const g of giveBacks) {
    const what = `give-back refund ${g.refundRequestNo} (${g.amountFen} fen)`;
    if (closed && started?.workflowId.includes(`-${g.refundRequestNo}-`) && started.state !== g.final.state)
      v.push(`${what} ended ${g.final.state}, the resolution says ${started.state ?? 'nothing'}`);
    if (g.final.state === 'REFUNDED' && g.amountFen === payment.amountFen && own && own.kept_fen !== 0)
      v.push(`${what} gave all back, the gateway keeps ${own.kept_fen}`);
  }
  return v;
}

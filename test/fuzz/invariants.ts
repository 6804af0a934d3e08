import { comparePayment } from '../../scripts/reconcile/reconcile';
import type { LedgerOrder, LedgerView, RequestLogEntry } from '../../simulator';
import type { PaymentState, PaymentStatus } from '../../workflows/types';

/** One payment of a schedule, as the fuzz saw it. */
export interface PaymentRun {
  /** What the saga decided on its own: the workflow's close, or its first NEEDS_ATTENTION. */
  concluded: PaymentStatus;
  /** What each checkout start was told (the early return), when it got an outcome. */
  told?: PaymentState[];
  /** The scenario lets the gateway act later than the saga's doubt window (schedule.ts `beyondDoubt`). */
  beyondDoubt?: boolean;
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
  } else if (comparePayment(p, kept) === 'open') {
    v.push(`ended in ${p.state}`);
  } else {
    judge((k) => comparePayment(p, k) === 'matched', `${comparePayment(p, kept)}: saga ${p.state}, ${books}`);
  }

  // What the checkout was told.
  const told = [...new Set(run.told ?? [])]; // a duplicate start is told the same
  if (told.includes('PAID')) {
    if (p.state !== 'NEEDS_ATTENTION' && p.state !== 'REVOKED') judge((k) => k === p.amountFen, `told PAID, ${books}`);
    if (p.calls.some((c) => c.step === 'cancel')) v.push('told PAID after a cancel was sent (R2)');
  }
  for (const state of told.filter((s) => s === 'FAILED' || s === 'CANCELED')) {
    if (p.state !== 'NEEDS_ATTENTION') judge((k) => k === 0, `told ${state}, ${books}`);
  }

  // What the operator was told.
  if (p.revoke?.status === 'REFUSED' && !run.beyondDoubt && kept !== p.amountFen) {
    v.push(`revoke reported REFUSED, ${books}`);
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

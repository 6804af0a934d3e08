import type { RefundState, RefundStatus } from '../../workflows/refund-types';
import type { PaymentState, PaymentStatus } from '../../workflows/types';

/** One order as the gateway's bill (or the simulator's ledger) has it. */
export interface GatewayOrder {
  terminalSn: string;
  clientSn: string;
  sn: string;
  orderStatus: string;
  /** What the merchant keeps: captured − reversed − refunded. */
  keptFen: number;
  /** What the gateway refunded of it, when the bill says (`refunded_fen`): shown beside a discrepancy. */
  refundedFen?: number;
}

export type DiscrepancyKind =
  | '长款' // the gateway kept money the saga says it did not take
  | '短款' // the saga says PAID, the gateway kept nothing
  | 'amount mismatch'; // PAID on both sides, different amounts

export interface Discrepancy {
  kind: DiscrepancyKind;
  terminalSn: string;
  clientSn: string;
  state: PaymentState | 'NO WORKFLOW';
  gatewayStatus: string;
  amountFen: number;
  keptFen: number;
  /** What our refund workflows say went back (REFUNDED): the payment should keep amountFen − this. */
  refundedFen: number;
  /** What the gateway says it refunded, when the bill says. */
  gatewayRefundedFen?: number;
}

export interface Reconciliation {
  discrepancies: Discrepancy[];
  /** Still in flight or waiting for a person (the payment, or one of its refunds): not judged yet. */
  open: { terminalSn: string; clientSn: string; state: PaymentState; refundsOpen?: number }[];
  matched: number;
}

/**
 * A payment's refunds as our refund workflows (`refundSaga`, found by visibility query) concluded them:
 * the refunds are our side of the books for the money given back.
 */
export interface PaymentRefunds {
  /** Fen that went back by a refund REFUNDED (by the gateway's word, or an operator's resolution). */
  refundedFen: number;
  /**
   * Refunds not concluded: still LOOKING or REFUNDING, waiting for a person (NEEDS_ATTENTION), or settled
   * outside the gateway by a person (SETTLED_OUTSIDE: the gateway's books cannot say). The payment is open.
   */
  open: number;
}

export const NO_REFUNDS: PaymentRefunds = { refundedFen: 0, open: 0 };

/** Refund states that moved nothing: REFUSED by the gateway, NOT_REFUNDED by a person. */
const REFUND_NOTHING_MOVED: readonly RefundState[] = ['REFUSED', 'NOT_REFUNDED'];

/**
 * The refunds of one payment among `refunds`: same terminal, and the payment's client_sn (or, for a
 * refund that named the order by `sn`, the payment's sn). REFUNDED counts its amount; REFUSED and
 * NOT_REFUNDED count nothing; any other state makes the payment open.
 */
export function refundsOf(
  payment: Pick<PaymentStatus, 'terminalSn' | 'clientSn' | 'sn'>,
  refunds: readonly Pick<RefundStatus, 'terminalSn' | 'clientSn' | 'sn' | 'state' | 'amountFen'>[],
): PaymentRefunds {
  const result = { refundedFen: 0, open: 0 };
  for (const r of refunds) {
    if (r.terminalSn !== payment.terminalSn) continue;
    const named =
      r.clientSn !== undefined ? r.clientSn === payment.clientSn : r.sn !== undefined && r.sn === payment.sn;
    if (!named) continue;
    if (r.state === 'REFUNDED') result.refundedFen += r.amountFen;
    else if (!REFUND_NOTHING_MOVED.includes(r.state)) result.open += 1;
  }
  return result;
}

const SETTLED_NOT_PAID: readonly PaymentState[] = ['FAILED', 'CANCELED', 'REVOKED', 'REFUNDED'];

/** One payment against the gateway's books: they agree, they disagree (how), or it is not judged yet. */
export type PaymentVerdict = 'matched' | 'open' | DiscrepancyKind;

/**
 * The gateway keeps the money exactly when the saga says PAID, less what our refunds gave back: compares
 * one payment's state with what the gateway kept for its order (0 when it has none). A PAID payment
 * keeps `amountFen − refunds.refundedFen` (kept = paid − refunded); with a refund not concluded it is
 * `open`. PARTIAL_REFUNDED (an operator's resolution) keeps part of it. In flight, waiting for a person,
 * or settled outside the gateway by a person (SETTLED_OUTSIDE: its resolution carries the reference
 * and the gateway's answer at close): `open`, not judged here.
 */
export function comparePayment(
  payment: Pick<PaymentStatus, 'state' | 'amountFen'>,
  keptFen: number,
  refunds: PaymentRefunds = NO_REFUNDS,
): PaymentVerdict {
  if (payment.state === 'PAID') {
    if (refunds.open > 0) return 'open';
    const expected = payment.amountFen - refunds.refundedFen;
    if (keptFen === expected) return 'matched';
    if (keptFen === 0) return '短款';
    return expected <= 0 ? '长款' : 'amount mismatch';
  }
  if (payment.state === 'PARTIAL_REFUNDED') {
    if (keptFen > 0 && keptFen < payment.amountFen) return 'matched';
    return keptFen === 0 ? '短款' : 'amount mismatch';
  }
  if (SETTLED_NOT_PAID.includes(payment.state)) return keptFen === 0 ? 'matched' : '长款';
  return 'open';
}

const key = (terminalSn: string, clientSn: string) => `${terminalSn}/${clientSn}`;

/**
 * Compares what the sagas concluded with what the gateway kept, counting the payments' refunds (the
 * refund workflows' statuses: kept = paid − refunded). A resolved payment is judged by the operator's
 * resolution. Gateway orders with no saga are judged as "not paid" by us.
 */
export function reconcile(
  payments: readonly PaymentStatus[],
  orders: readonly GatewayOrder[],
  refunds: readonly RefundStatus[] = [],
): Reconciliation {
  const byKey = new Map(orders.map((o) => [key(o.terminalSn, o.clientSn), o]));
  const result: Reconciliation = { discrepancies: [], open: [], matched: 0 };
  for (const p of payments) {
    const order = byKey.get(key(p.terminalSn, p.clientSn));
    byKey.delete(key(p.terminalSn, p.clientSn));
    const kept = order?.keptFen ?? 0;
    const ours = refundsOf(p, refunds);
    const line = {
      terminalSn: p.terminalSn,
      clientSn: p.clientSn,
      state: p.state,
      gatewayStatus: order?.orderStatus ?? 'NOT FOUND',
      amountFen: p.amountFen,
      keptFen: kept,
      refundedFen: ours.refundedFen,
      ...(order?.refundedFen !== undefined ? { gatewayRefundedFen: order.refundedFen } : {}),
    };
    const verdict = comparePayment(p, kept, ours);
    if (verdict === 'matched') result.matched += 1;
    else if (verdict === 'open')
      result.open.push({
        terminalSn: p.terminalSn,
        clientSn: p.clientSn,
        state: p.state,
        ...(ours.open > 0 ? { refundsOpen: ours.open } : {}),
      });
    else result.discrepancies.push({ ...line, kind: verdict });
  }
  for (const order of byKey.values()) {
    if (order.keptFen > 0) {
      result.discrepancies.push({
        kind: '长款',
        terminalSn: order.terminalSn,
        clientSn: order.clientSn,
        state: 'NO WORKFLOW',
        gatewayStatus: order.orderStatus,
        amountFen: 0,
        keptFen: order.keptFen,
        refundedFen: 0,
        ...(order.refundedFen !== undefined ? { gatewayRefundedFen: order.refundedFen } : {}),
      });
    }
  }
  return result;
}

/** The simulator's `/_sim/ledger` orders as gateway orders. */
export function ordersFromLedger(ledger: {
  orders: {
    terminal_sn: string;
    client_sn: string;
    sn: string;
    order_status: string;
    kept_fen: number;
    refunded_fen?: number;
  }[];
}): GatewayOrder[] {
  return ledger.orders.map((o) => ({
    terminalSn: o.terminal_sn,
    clientSn: o.client_sn,
    sn: o.sn,
    orderStatus: o.order_status,
    keptFen: o.kept_fen,
    ...(o.refunded_fen !== undefined ? { refundedFen: o.refunded_fen } : {}),
  }));
}

/**
 * A bill file as CSV with a header: terminal_sn,client_sn,sn,order_status,kept_fen (any column order),
 * optionally refunded_fen. kept_fen is what the merchant keeps after reversals and refunds.
 */
export function ordersFromCsv(text: string): GatewayOrder[] {
  const [header, ...rows] = text.trim().split(/\r?\n/);
  const cols = (header ?? '').split(',').map((c) => c.trim());
  const need = ['terminal_sn', 'client_sn', 'sn', 'order_status', 'kept_fen'];
  const missing = need.filter((c) => !cols.includes(c));
  if (missing.length > 0) throw new Error(`bill file header lacks ${missing.join(', ')}`);
  return rows.map((row, i) => {
    const cells = row.split(',').map((c) => c.trim());
    const get = (c: string) => cells[cols.indexOf(c)] ?? '';
    const keptFen = Number(get('kept_fen'));
    if (!Number.isInteger(keptFen)) throw new Error(`bill file line ${i + 2}: kept_fen must be whole fen`);
    const refunded =
      cols.includes('refunded_fen') && get('refunded_fen') !== '' ? Number(get('refunded_fen')) : undefined;
    if (refunded !== undefined && !(Number.isInteger(refunded) && refunded >= 0))
      throw new Error(`bill file line ${i + 2}: refunded_fen must be whole fen`);
    return {
      terminalSn: get('terminal_sn'),
      clientSn: get('client_sn'),
      sn: get('sn'),
      orderStatus: get('order_status'),
      keptFen,
      ...(refunded !== undefined ? { refundedFen: refunded } : {}),
    };
  });
}

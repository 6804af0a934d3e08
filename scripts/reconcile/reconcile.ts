import type { PaymentState, PaymentStatus } from '../../workflows/types';

/** One order as the gateway's bill (or the simulator's ledger) has it. */
export interface GatewayOrder {
  terminalSn: string;
  clientSn: string;
  sn: string;
  orderStatus: string;
  /** What the merchant keeps: captured − reversed − refunded. */
  keptFen: number;
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
}

export interface Reconciliation {
  discrepancies: Discrepancy[];
  /** Still in flight or waiting for a person: not judged yet. */
  open: { terminalSn: string; clientSn: string; state: PaymentState }[];
  matched: number;
}

const SETTLED_NOT_PAID: readonly PaymentState[] = ['FAILED', 'CANCELED', 'REVOKED', 'REFUNDED'];

/** One payment against the gateway's books: they agree, they disagree (how), or it is not judged yet. */
export type PaymentVerdict = 'matched' | 'open' | DiscrepancyKind;

/**
 * The gateway keeps the money exactly when the saga says PAID: compares one payment's state with what
 * the gateway kept for its order (0 when it has none). PARTIAL_REFUNDED keeps part of it. In flight,
 * waiting for a person, or settled outside the gateway by a person (SETTLED_OUTSIDE: its
 * resolution carries the reference and the gateway's answer at close): `open`, not judged here.
 */
export function comparePayment(payment: Pick<PaymentStatus, 'state' | 'amountFen'>, keptFen: number): PaymentVerdict {
  if (payment.state === 'PAID') {
    if (keptFen === payment.amountFen) return 'matched';
    return keptFen === 0 ? '短款' : 'amount mismatch';
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
 * Compares what the sagas concluded with what the gateway kept. A resolved payment is judged by the
 * operator's resolution. Gateway orders with no saga are judged as "not paid" by us.
 */
export function reconcile(payments: readonly PaymentStatus[], orders: readonly GatewayOrder[]): Reconciliation {
  const byKey = new Map(orders.map((o) => [key(o.terminalSn, o.clientSn), o]));
  const result: Reconciliation = { discrepancies: [], open: [], matched: 0 };
  for (const p of payments) {
    const order = byKey.get(key(p.terminalSn, p.clientSn));
    byKey.delete(key(p.terminalSn, p.clientSn));
    const kept = order?.keptFen ?? 0;
    const line = {
      terminalSn: p.terminalSn,
      clientSn: p.clientSn,
      state: p.state,
      gatewayStatus: order?.orderStatus ?? 'NOT FOUND',
      amountFen: p.amountFen,
      keptFen: kept,
    };
    const verdict = comparePayment(p, kept);
    if (verdict === 'matched') result.matched += 1;
    else if (verdict === 'open') result.open.push({ terminalSn: p.terminalSn, clientSn: p.clientSn, state: p.state });
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
      });
    }
  }
  return result;
}

/** The simulator's `/_sim/ledger` orders as gateway orders. */
export function ordersFromLedger(ledger: {
  orders: { terminal_sn: string; client_sn: string; sn: string; order_status: string; kept_fen: number }[];
}): GatewayOrder[] {
  return ledger.orders.map((o) => ({
    terminalSn: o.terminal_sn,
    clientSn: o.client_sn,
    sn: o.sn,
    orderStatus: o.order_status,
    keptFen: o.kept_fen,
  }));
}

/** A bill file as CSV with a header: terminal_sn,client_sn,sn,order_status,kept_fen (any column order). */
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
    return {
      terminalSn: get('terminal_sn'),
      clientSn: get('client_sn'),
      sn: get('sn'),
      orderStatus: get('order_status'),
      keptFen,
    };
  });
}

import type { Movement, Order, OrderStatus, RefundRecord, RefundState, Transition } from './order-model';
import { netFen } from './order-model';
import type { OrderBook } from './orders';
import type { PendingEffects, PendingView } from './pending-effects';
import { settleIfDue } from './settlement';
import type { Fault } from './scenarios';
import type { KeyRole } from './terminal-keys';

/** One handled /upay or /terminal request. Never holds a key, the Authorization value or the signature. */
export interface RequestLogEntry {
  at: number;
  endpoint: string;
  /** For activate: the terminal it created (the signer is `vendor_sn`). */
  terminal_sn?: string;
  /** activate only: the vendor named in the Authorization header. */
  vendor_sn?: string;
  client_sn?: string;
  sn?: string;
  /** refund and query: the refund named in the request. */
  refund_request_no?: string;
  /** refund: the amount asked for, fen digits as sent. */
  refund_amount?: string;
  signature_valid: boolean;
  /** Which terminal key verified the signature (a client that falls back to its previous key shows here). */
  signed_with?: KeyRole;
  /** 0 when no HTTP response was sent (reset, hang). */
  http_status: number;
  /** Top-level result_code, absent when the answer was lost or not JSON. */
  result_code?: string;
  biz_result_code?: string;
  error_code?: string;
  fault?: Fault;
}

/**
 * One refund of an order (the latest attempt of its refund_request_no). Only `landed` ones moved money: each
 * has exactly one refund movement with its number. `pending` = accepted, not in the books yet; `failed` =
 * nothing moved, ever.
 */
export interface LedgerRefund {
  refund_request_no: string;
  amount_fen: number;
  state: RefundState;
  client_tsn: string;
  requested_at: number;
  /** When the money went back (landed only). */
  landed_at?: number;
  /** When it failed (failed only). */
  failed_at?: number;
}

export interface LedgerOrder {
  terminal_sn: string;
  merchant_sn: string;
  sn: string;
  client_sn: string;
  total_amount: string;
  net_amount: string;
  order_status: OrderStatus;
  created_at: number;
  history: Transition[];
  movements: Movement[];
  captured_fen: number;
  reversed_fen: number;
  refunded_fen: number;
  /** captured − reversed − refunded: what the merchant keeps. */
  kept_fen: number;
  /** Every refund the gateway accepted for this order, in the order it accepted them. */
  refunds: LedgerRefund[];
}

export interface LedgerView {
  orders: LedgerOrder[];
  requests: RequestLogEntry[];
  /** Accepted effects not in the books yet (late requests, slow reversals); judge the books once it is empty. */
  pending: PendingView[];
  counters: {
    /** Valid pay requests per client_sn, CLIENT_SN_CONFLICT answers included. */
    pay_calls_by_client_sn: Record<string, number>;
    captures_by_client_sn: Record<string, number>;
    reversals_by_sn: Record<string, number>;
    /** Refund movements per `<sn>/<refund_request_no>`: "no refund counted twice" = every value is 1. */
    refunds_by_request: Record<string, number>;
    captured_fen: number;
    reversed_fen: number;
    refunded_fen: number;
    kept_fen: number;
  };
}

/**
 * Snapshot for reconciliation; lands due effects and settlements up to `now` first so it matches what a query
 * would say.
 */
export function buildLedger(
  book: OrderBook,
  requests: readonly RequestLogEntry[],
  pending: PendingEffects,
  now: number,
): LedgerView {
  pending.landDue(now);
  const orders = book.all().map((order) => {
    settleIfDue(order, now);
    return ledgerOrder(order);
  });
  const counters: LedgerView['counters'] = {
    pay_calls_by_client_sn: Object.fromEntries(book.payCalls),
    captures_by_client_sn: {},
    reversals_by_sn: {},
    refunds_by_request: {},
    captured_fen: 0,
    reversed_fen: 0,
    refunded_fen: 0,
    kept_fen: 0,
  };
  for (const o of orders) {
    const captures = o.movements.filter((m) => m.kind === 'capture').length;
    const reversals = o.movements.filter((m) => m.kind === 'reversal').length;
    if (captures > 0)
      counters.captures_by_client_sn[o.client_sn] = (counters.captures_by_client_sn[o.client_sn] ?? 0) + captures;
    if (reversals > 0) counters.reversals_by_sn[o.sn] = reversals;
    for (const m of o.movements) {
      if (m.kind !== 'refund') continue;
      const key = `${o.sn}/${m.refund_request_no ?? ''}`;
      counters.refunds_by_request[key] = (counters.refunds_by_request[key] ?? 0) + 1;
    }
    counters.captured_fen += o.captured_fen;
    counters.reversed_fen += o.reversed_fen;
    counters.refunded_fen += o.refunded_fen;
    counters.kept_fen += o.kept_fen;
  }
  return { orders, requests: requests.map((r) => ({ ...r })), pending: pending.view(), counters };
}

function ledgerOrder(order: Order): LedgerOrder {
  const sum = (kind: Movement['kind']): number =>
    order.movements.filter((m) => m.kind === kind).reduce((total, m) => total + m.amount_fen, 0);
  const captured = sum('capture');
  const reversed = sum('reversal');
  const refunded = sum('refund');
  return {
    terminal_sn: order.terminalSn,
    merchant_sn: order.merchantSn,
    sn: order.sn,
    client_sn: order.clientSn,
    total_amount: String(order.totalFen),
    net_amount: String(netFen(order)),
    order_status: order.status,
    created_at: order.ctime,
    history: order.history.map((t) => ({ ...t })),
    movements: order.movements.map((m) => ({ ...m })),
    captured_fen: captured,
    reversed_fen: reversed,
    refunded_fen: refunded,
    kept_fen: captured - reversed - refunded,
    refunds: [...order.refunds.values()].map(ledgerRefund),
  };
}

function ledgerRefund(r: RefundRecord): LedgerRefund {
  const view: LedgerRefund = {
    refund_request_no: r.refundRequestNo,
    amount_fen: r.amountFen,
    state: r.state,
    client_tsn: r.clientTsn,
    requested_at: r.requestedAt,
  };
  if (r.state === 'landed' && r.settledAt !== undefined) view.landed_at = r.settledAt;
  if (r.state === 'failed' && r.settledAt !== undefined) view.failed_at = r.settledAt;
  return view;
}

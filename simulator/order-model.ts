import type { OrderDataWire } from '../activities/gateway/models';
import type { Scenario } from './scenarios';

/**
 * `biz_response.data` as the simulator sends it: the shared wire type plus `client_tsn`, which refund answers
 * carry (reference §4.6: "client_sn + '-' + refund_request_no") and models.ts does not list.
 */
export interface SimOrderData extends OrderDataWire {
  client_tsn?: string;
}

/** Order statuses the simulator produces (reference §6.1). */
export type OrderStatus =
  | 'CREATED'
  | 'PAID'
  | 'PAY_CANCELED'
  | 'PAY_ERROR'
  | 'PARTIAL_REFUNDED'
  | 'REFUNDED'
  | 'CANCELED'
  // Only while a slow reversal that asked for it is pending (unfriendly-scenarios.ts).
  | 'CANCEL_INPROGRESS'
  // Only while a slow refund that asked for it is pending (slow-refunds.ts).
  | 'REFUND_INPROGRESS'
  | 'REFUND_ERROR';

export type MovementKind = 'capture' | 'reversal' | 'refund';

export interface Transition {
  at: number;
  from: OrderStatus | null;
  to: OrderStatus;
  cause: string;
}

export interface Movement {
  at: number;
  kind: MovementKind;
  amount_fen: number;
  /** Refund movements: the refund that moved the money (one movement per refund, ever). */
  refund_request_no?: string;
}

/** pending: accepted, not in the books yet; landed: the money went back; failed: nothing moved, ever. */
export type RefundState = 'pending' | 'landed' | 'failed';

/** One refund of an order, keyed by its refund_request_no (the latest attempt of that number). */
export interface RefundRecord {
  refundRequestNo: string;
  amountFen: number;
  /** `client_tsn` of its answers: the request's, else client_sn + '-' + refund_request_no (reference §4.6). */
  clientTsn: string;
  state: RefundState;
  /** When the gateway accepted it. */
  requestedAt: number;
  /** When it landed or failed; absent while pending. */
  settledAt?: number;
  /** While pending: the order status queries show meanwhile is REFUND_INPROGRESS / REFUND_ERROR. */
  visibleWhilePending: boolean;
}

/** One order as the gateway keeps it. Mutated only through orders.ts and the action modules. */
export interface Order {
  terminalSn: string;
  /** The merchant of the terminal that paid it (client_sn uniqueness may span the merchant). */
  merchantSn: string;
  sn: string;
  clientSn: string;
  totalFen: number;
  subject: string;
  operator: string;
  reflect?: string;
  description?: string;
  payway: string;
  status: OrderStatus;
  /** 流水状态 of the last action on this order (IN_PROG, SUCCESS, FAIL_CANCELED, FAIL_ERROR). */
  flowStatus: string;
  errorCode?: string;
  tradeNo?: string;
  ctime: number;
  finishTime?: number;
  channelFinishTime?: number;
  paidAt?: number;
  /** Landed refunds only (net_amount = total − refunded). */
  refundedFen: number;
  refunds: Map<string, RefundRecord>;
  scenario: Scenario;
  /** True while a held pay has not answered yet: settlement waits for it. */
  holding: boolean;
  queries: number;
  steps: { query: number; cancel: number; revoke: number; refund: number };
  history: Transition[];
  movements: Movement[];
}

const FINAL: ReadonlySet<OrderStatus> = new Set(['PAID', 'PAY_CANCELED', 'REFUNDED', 'PARTIAL_REFUNDED', 'CANCELED']);

const PAYWAY_NAMES: Record<string, string> = { '1': '支付宝', '2': '支付宝', '3': '微信' };

/**
 * Records a status change and the money it moves: capture on PAID, full reversal when a PAID order becomes
 * CANCELED (directly, or through CANCEL_INPROGRESS while a slow reversal was pending).
 */
export function moveTo(order: Order, to: OrderStatus, cause: string, at: number): void {
  const from = order.status;
  order.history.push({ at, from, to, cause });
  order.status = to;
  // Back to PAID from a refund that failed is no second capture.
  if (to === 'PAID' && from !== 'REFUND_INPROGRESS' && from !== 'REFUND_ERROR') {
    order.paidAt = order.scenario.dayEndsAfterPay ? at - 24 * 3_600_000 : at;
    order.movements.push({ at, kind: 'capture', amount_fen: order.totalFen });
  }
  const wasPaid = from === 'PAID' || (from === 'CANCEL_INPROGRESS' && order.paidAt !== undefined);
  if (wasPaid && to === 'CANCELED') {
    order.movements.push({ at, kind: 'reversal', amount_fen: order.totalFen });
  }
}

/** Net amount as the gateway reports it: total − refunded, "0" after a reversal (reference §6.3). */
export function netFen(order: Order): number {
  if (order.status === 'CANCELED' && order.paidAt !== undefined) return 0;
  return order.totalFen - order.refundedFen;
}

/**
 * `biz_response.data`: every value a string, times as 13-digit ms strings. An order with a refund carries the
 * refund a query shows (the last landed one, or the pending one its status shows): its refund_request_no and
 * client_tsn (reference §8.3: a query by client_sn shows the refund and its refund_request_no).
 */
export function orderData(order: Order): SimOrderData {
  const data: SimOrderData = {
    terminal_sn: order.terminalSn,
    sn: order.sn,
    client_sn: order.clientSn,
    status: order.flowStatus,
    order_status: order.status,
    payway: order.payway,
    payway_name: PAYWAY_NAMES[order.payway] ?? '其他',
    sub_payway: '1',
    total_amount: String(order.totalFen),
    net_amount: String(netFen(order)),
    subject: order.subject,
    operator: order.operator,
    ctime: String(order.ctime),
  };
  if (order.tradeNo !== undefined) data.trade_no = order.tradeNo;
  if (order.reflect !== undefined) data.reflect = order.reflect;
  if (FINAL.has(order.status) && order.finishTime !== undefined) data.finish_time = String(order.finishTime);
  if (order.channelFinishTime !== undefined) data.channel_finish_time = String(order.channelFinishTime);
  const shown = shownRefund(order);
  if (shown) {
    data.refund_request_no = shown.refundRequestNo;
    data.client_tsn = shown.clientTsn;
  }
  return data;
}

/** The data of an answer about one refund: the order, that refund's number, client_tsn and its flow status. */
export function withRefund(data: SimOrderData, record: RefundRecord): SimOrderData {
  const status = record.state === 'landed' ? 'SUCCESS' : record.state === 'failed' ? 'REFUND_ERROR' : 'IN_PROG';
  return { ...data, status, refund_request_no: record.refundRequestNo, client_tsn: record.clientTsn };
}

/** The refund a plain query shows: the pending one behind REFUND_INPROGRESS / REFUND_ERROR, else the last landed. */
export function shownRefund(order: Order): RefundRecord | undefined {
  let shown: RefundRecord | undefined;
  for (const r of order.refunds.values()) {
    if (r.state === 'pending' && r.visibleWhilePending) return r;
    if (r.state === 'landed' && (shown === undefined || (r.settledAt ?? 0) >= (shown.settledAt ?? 0))) shown = r;
  }
  return shown;
}

/** A refund accepted but not landed yet: reversals are refused meanwhile ("进行过退款的订单不能撤单"). */
export function refundUnderway(order: Order): boolean {
  for (const r of order.refunds.values()) if (r.state === 'pending') return true;
  return false;
}

import type { OrderDataWire } from '../activities/gateway/models';
import type { Scenario } from './scenarios';

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
  | 'CANCEL_INPROGRESS';

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
}

export interface RefundRecord {
  amountFen: number;
  at: number;
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
  refundedFen: number;
  refunds: Map<string, RefundRecord>;
  lastRefundNo?: string;
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
  if (to === 'PAID') {
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

/** `biz_response.data`: every value a string, times as 13-digit ms strings. */
export function orderData(order: Order): OrderDataWire {
  const data: OrderDataWire = {
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
  return data;
}

import type { PayRequestWire } from '../activities/gateway/models';
import type { Order } from './order-model';
import { moveTo } from './order-model';
import type { Scenario } from './scenarios';

/**
 * Order store: creation with client_sn uniqueness per terminal, lookup (sn first, then client_sn) and lazy
 * settlement of in-progress orders. Pure: time comes in as arguments, no HTTP.
 */
export class OrderBook {
  private readonly bySn = new Map<string, Order>();
  private readonly byClientSn = new Map<string, Order>();
  /** Every authenticated, valid pay request per client_sn, conflicts included. */
  readonly payCalls = new Map<string, number>();
  private seq: number;

  constructor(startMs: number) {
    // Seeded from the clock so a restarted simulator does not hand out an sn a durable workflow still holds.
    this.seq = Math.floor(startMs / 1000) * 1000;
  }

  reset(): void {
    this.bySn.clear();
    this.byClientSn.clear();
    this.payCalls.clear();
  }

  all(): Order[] {
    return [...this.bySn.values()];
  }

  countPayCall(clientSn: string): void {
    this.payCalls.set(clientSn, (this.payCalls.get(clientSn) ?? 0) + 1);
  }

  /** The existing order for this client_sn on this terminal, whatever its state. */
  byClient(terminalSn: string, clientSn: string): Order | undefined {
    return this.byClientSn.get(clientKey(terminalSn, clientSn));
  }

  /** "优先按照sn查找订单，如果没有，再按照client_sn查询", both scoped to the terminal. */
  find(terminalSn: string, sn?: string, clientSn?: string): Order | undefined {
    const bySn = sn ? this.bySn.get(sn) : undefined;
    if (bySn && bySn.terminalSn === terminalSn) return bySn;
    return clientSn ? this.byClient(terminalSn, clientSn) : undefined;
  }

  /** Creates a CREATED order; the caller has already checked for a client_sn conflict. */
  create(req: PayRequestWire, scenario: Scenario, now: number): Order {
    this.seq += 1;
    const sn = `789${String(this.seq).padStart(13, '0').slice(-13)}`;
    const order: Order = {
      terminalSn: req.terminal_sn,
      sn,
      clientSn: req.client_sn,
      totalFen: Number(req.total_amount),
      subject: req.subject,
      operator: req.operator,
      payway: req.payway ?? paywayOf(req.dynamic_id),
      status: 'CREATED',
      flowStatus: 'IN_PROG',
      ctime: now,
      refundedFen: 0,
      refunds: new Map(),
      scenario,
      holding: false,
      queries: 0,
      steps: { query: 0, cancel: 0, revoke: 0 },
      history: [{ at: now, from: null, to: 'CREATED', cause: 'pay' }],
      movements: [],
    };
    if (req.reflect !== undefined) order.reflect = req.reflect;
    if (req.description !== undefined) order.description = req.description;
    this.bySn.set(sn, order);
    this.byClientSn.set(clientKey(req.terminal_sn, req.client_sn), order);
    return order;
  }
}

/**
 * Applies a scenario's `settle` rule to a still-CREATED order once its time or query count is reached.
 * Never fires after a cancel moved the order on, nor while a held pay is still open.
 */
/**
 * The gateway cancels an order nobody paid (TRADE_TIMEOUT, 交易超时自动撤单): 40 s in the Chinese
 * documents, 100 s in the English ones (reference §6); the simulator takes the later.
 */
export const UNPAID_AUTO_CANCEL_MS = 100_000;

export function settleIfDue(order: Order, now: number): void {
  if (order.status !== 'CREATED' || order.holding) return;
  const rule = order.scenario.pay?.settle;
  if (rule) {
    const dueAt = rule.afterMs === undefined ? undefined : order.ctime + rule.afterMs;
    const byTime = dueAt !== undefined && now >= dueAt && dueAt < order.ctime + UNPAID_AUTO_CANCEL_MS;
    const byQueries = order.queries >= (rule.afterQueries ?? (rule.afterMs === undefined ? 1 : Infinity));
    if (byTime || byQueries) {
      const at = byTime && dueAt !== undefined ? dueAt : now;
      if (rule.to === 'PAID') markPaid(order, at, 'settle');
      else if (rule.to === 'PAY_CANCELED') markPayCanceled(order, at, rule.errorCode ?? 'TRADE_TIMEOUT', 'settle');
      else markPayError(order, at, rule.errorCode ?? 'UNEXPECTED_PROVIDER_ERROR', 'settle');
      return;
    }
  }
  const timeoutAt = order.ctime + UNPAID_AUTO_CANCEL_MS;
  if (now >= timeoutAt) markPayCanceled(order, timeoutAt, 'TRADE_TIMEOUT', 'auto-cancel');
}

export function markPaid(order: Order, at: number, cause: string): void {
  order.tradeNo = `42000${order.sn}`;
  order.flowStatus = 'SUCCESS';
  order.finishTime = at;
  order.channelFinishTime = at;
  moveTo(order, 'PAID', cause, at);
}

export function markPayCanceled(order: Order, at: number, errorCode: string, cause: string): void {
  order.flowStatus = 'FAIL_CANCELED';
  order.errorCode = errorCode;
  order.finishTime = at;
  moveTo(order, 'PAY_CANCELED', cause, at);
}

export function markPayError(order: Order, at: number, errorCode: string, cause: string): void {
  order.flowStatus = 'FAIL_ERROR';
  order.errorCode = errorCode;
  moveTo(order, 'PAY_ERROR', cause, at);
}

function clientKey(terminalSn: string, clientSn: string): string {
  return `${terminalSn}\u0000${clientSn}`;
}

/** Real-world barcode prefixes (not from SQB docs): WeChat 10–15, Alipay 25–30; anything else WeChat. */
function paywayOf(dynamicId: string): string {
  const prefix = Number(dynamicId.slice(0, 2));
  return prefix >= 25 && prefix <= 30 ? '2' : '3';
}

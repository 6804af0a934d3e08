import type { PayRequestWire } from '../activities/gateway/models';
import type { Order } from './order-model';
import type { Scenario } from './scenarios';

// Kept here too: tests import it from orders.ts.
export { UNPAID_AUTO_CANCEL_MS } from './settlement';

/**
 * Order store: creation, client_sn uniqueness and lookup (sn first, then client_sn). Both are scoped to the
 * terminal, as always; a client_sn a pay under merchant scope touched (`shareClientSn`) is looked up across the
 * terminal's merchant too. Pure: time comes in as arguments, no HTTP.
 */
export class OrderBook {
  private readonly bySn = new Map<string, Order>();
  private readonly byClientSn = new Map<string, Order>();
  /** Every order of a client_sn on any terminal, oldest first: for merchant-wide uniqueness and lookups. */
  private readonly everyOrderOf = new Map<string, Order[]>();
  /** merchant + client_sn pairs whose lookups span the merchant. */
  private readonly shared = new Set<string>();
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
    this.everyOrderOf.clear();
    this.shared.clear();
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
    return this.byClientSn.get(pairKey(terminalSn, clientSn));
  }

  /** Any order by sn, whoever owns it (for answers, not for lookups on behalf of a terminal). */
  bySnAnywhere(sn: string): Order | undefined {
    return this.bySn.get(sn);
  }

  /** The order a pay with this client_sn meets: on its terminal, or anywhere in `merchantSn` when given. */
  taken(terminalSn: string, clientSn: string, merchantSn?: string): Order | undefined {
    const own = this.byClient(terminalSn, clientSn);
    if (own || merchantSn === undefined) return own;
    return this.inMerchant(merchantSn, clientSn);
  }

  /** From now on, lookups of this client_sn by any terminal of the merchant see the merchant's orders. */
  shareClientSn(merchantSn: string, clientSn: string): void {
    this.shared.add(pairKey(merchantSn, clientSn));
  }

  /**
   * "优先按照sn查找订单，如果没有，再按照client_sn查询", scoped to the terminal; merchant-wide for a shared
   * client_sn, or for every client_sn when `merchantWide`.
   */
  find(
    terminalSn: string,
    sn: string | undefined,
    clientSn: string | undefined,
    merchantSn: string,
    merchantWide = false,
  ): Order | undefined {
    const spans = (c: string): boolean => merchantWide || this.shared.has(pairKey(merchantSn, c));
    const bySn = sn ? this.bySn.get(sn) : undefined;
    if (bySn && (bySn.terminalSn === terminalSn || (bySn.merchantSn === merchantSn && spans(bySn.clientSn)))) {
      return bySn;
    }
    if (!clientSn) return undefined;
    return this.byClient(terminalSn, clientSn) ?? (spans(clientSn) ? this.inMerchant(merchantSn, clientSn) : undefined);
  }

  /** The order whose refund under this number the terminal (or its merchant, when `merchantWide`) made last. */
  findByRefund(terminalSn: string, refundRequestNo: string, merchantSn: string, merchantWide = false) {
    let found: Order | undefined;
    let latest = -Infinity;
    for (const order of this.bySn.values()) {
      const mine = order.terminalSn === terminalSn || (merchantWide && order.merchantSn === merchantSn);
      const at = order.refunds.get(refundRequestNo)?.requestedAt;
      if (mine && at !== undefined && at >= latest) {
        found = order;
        latest = at;
      }
    }
    return found;
  }

  private inMerchant(merchantSn: string, clientSn: string): Order | undefined {
    return this.everyOrderOf.get(clientSn)?.find((o) => o.merchantSn === merchantSn);
  }

  /** Creates a CREATED order; the caller has already checked for a client_sn conflict. */
  create(req: PayRequestWire, scenario: Scenario, now: number, merchantSn: string): Order {
    this.seq += 1;
    const sn = `789${String(this.seq).padStart(13, '0').slice(-13)}`;
    const order: Order = {
      terminalSn: req.terminal_sn,
      merchantSn,
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
      steps: { query: 0, cancel: 0, revoke: 0, refund: 0 },
      history: [{ at: now, from: null, to: 'CREATED', cause: 'pay' }],
      movements: [],
    };
    if (req.reflect !== undefined) order.reflect = req.reflect;
    if (req.description !== undefined) order.description = req.description;
    this.bySn.set(sn, order);
    this.byClientSn.set(pairKey(req.terminal_sn, req.client_sn), order);
    const same = this.everyOrderOf.get(req.client_sn);
    if (same) same.push(order);
    else this.everyOrderOf.set(req.client_sn, [order]);
    return order;
  }
}

function pairKey(scopeSn: string, clientSn: string): string {
  return `${scopeSn}\u0000${clientSn}`;
}

/** Real-world barcode prefixes (not from SQB docs): WeChat 10–15, Alipay 25–30; anything else WeChat. */
function paywayOf(dynamicId: string): string {
  const prefix = Number(dynamicId.slice(0, 2));
  return prefix >= 25 && prefix <= 30 ? '2' : '3';
}

import {
  comparePayment,
  ordersFromCsv,
  reconcile,
  refundsOf,
  type GatewayOrder,
} from '../../scripts/reconcile/reconcile';
import type { RefundState, RefundStatus } from '../../workflows/refund-types';
import type { PaymentState, PaymentStatus } from '../../workflows/types';

const payment = (clientSn: string, state: PaymentState, amountFen = 100) =>
  ({ terminalSn: 'T', clientSn, state, amountFen }) as PaymentStatus;
const order = (clientSn: string, orderStatus: string, keptFen: number): GatewayOrder => ({
  terminalSn: 'T',
  clientSn,
  sn: `sn-${clientSn}`,
  orderStatus,
  keptFen,
});

const refund = (clientSn: string, state: RefundState, amountFen: number, more: Partial<RefundStatus> = {}) =>
  ({ terminalSn: 'T', clientSn, state, amountFen, ...more }) as RefundStatus;

describe('reconcile', () => {
  it('matches agreeing books and lists 长款, 短款 and amount mismatches', () => {
    const result = reconcile(
      [
        payment('ok-paid', 'PAID'),
        payment('ok-failed', 'FAILED'),
        payment('ok-revoked', 'REVOKED'),
        payment('long', 'CANCELED'),
        payment('short', 'PAID'),
        payment('amount', 'PAID', 100),
        payment('open', 'CONFIRMING'),
        payment('person', 'NEEDS_ATTENTION'),
      ],
      [
        order('ok-paid', 'PAID', 100),
        order('ok-failed', 'PAY_CANCELED', 0),
        order('ok-revoked', 'CANCELED', 0),
        order('long', 'PAID', 100),
        order('short', 'PAY_CANCELED', 0),
        order('amount', 'PARTIAL_REFUNDED', 60),
        order('orphan', 'PAID', 300),
        order('orphan-nothing', 'PAY_CANCELED', 0),
      ],
    );
    expect(result.matched).toBe(3);
    expect(result.open.map((o) => o.clientSn)).toEqual(['open', 'person']);
    expect(result.discrepancies.map((d) => [d.kind, d.clientSn])).toEqual([
      ['长款', 'long'],
      ['短款', 'short'],
      ['amount mismatch', 'amount'],
      ['长款', 'orphan'],
    ]);
  });

  it('reads a bill file in any column order and names a bad line', () => {
    const csv = 'kept_fen,order_status,sn,client_sn,terminal_sn\n100,PAID,s1,c1,T\n0,CANCELED,s2,c2,T\n';
    expect(ordersFromCsv(csv)).toEqual([
      { terminalSn: 'T', clientSn: 'c1', sn: 's1', orderStatus: 'PAID', keptFen: 100 },
      { terminalSn: 'T', clientSn: 'c2', sn: 's2', orderStatus: 'CANCELED', keptFen: 0 },
    ]);
    expect(() => ordersFromCsv('client_sn,kept_fen\nc1,1')).toThrow(/lacks terminal_sn, sn, order_status/);
    expect(() => ordersFromCsv('terminal_sn,client_sn,sn,order_status,kept_fen\nT,c1,s1,PAID,1.5')).toThrow(/line 2/);
  });

  it('counts refunds: kept = paid − refunded (REFUNDED counts, REFUSED and NOT_REFUNDED do not)', () => {
    const result = reconcile(
      [
        payment('part', 'PAID', 1000),
        payment('full', 'PAID', 1000),
        payment('two', 'PAID', 1000),
        payment('refused', 'PAID', 1000),
        payment('unknown-refund', 'PAID', 1000),
        payment('lost-refund', 'PAID', 1000),
        payment('one-full', 'PAID', 1000),
      ],
      [
        { ...order('part', 'PARTIAL_REFUNDED', 700), refundedFen: 300 },
        { ...order('full', 'REFUNDED', 0), refundedFen: 1000 },
        order('two', 'PARTIAL_REFUNDED', 200),
        order('refused', 'PAID', 1000),
        { ...order('unknown-refund', 'PARTIAL_REFUNDED', 600), refundedFen: 400 }, // no refund of ours says so
        order('lost-refund', 'PAID', 1000), // ours says REFUNDED, the gateway never refunded
        order('one-full', 'REFUNDED', 0),
      ],
      [
        refund('part', 'REFUNDED', 300),
        refund('full', 'REFUNDED', 400),
        refund('full', 'REFUNDED', 600),
        refund('two', 'REFUNDED', 300),
        refund('two', 'REFUNDED', 500),
        refund('two', 'REFUSED', 600),
        refund('two', 'NOT_REFUNDED', 100),
        refund('refused', 'REFUSED', 1000),
        refund('lost-refund', 'REFUNDED', 300),
        refund('one-full', 'REFUNDED', 1000),
        refund('other-order', 'REFUNDED', 100),
        refund('part', 'REFUNDED', 999, { terminalSn: 'OTHER' }), // another terminal's order
      ],
    );
    expect(result.discrepancies.map((d) => [d.kind, d.clientSn, d.refundedFen, d.gatewayRefundedFen])).toEqual([
      ['amount mismatch', 'unknown-refund', 0, 400],
      ['amount mismatch', 'lost-refund', 300, undefined],
    ]);
    expect(result.matched).toBe(5);
  });

  it('does not judge a PAID payment while one of its refunds is not concluded (running, a person, settled outside)', () => {
    for (const state of ['LOOKING', 'REFUNDING', 'NEEDS_ATTENTION', 'SETTLED_OUTSIDE'] as const) {
      const result = reconcile(
        [payment('p', 'PAID', 1000)],
        [order('p', 'PARTIAL_REFUNDED', 500)],
        [refund('p', 'REFUNDED', 500), refund('p', state, 200)],
      );
      expect(result.open).toEqual([{ terminalSn: 'T', clientSn: 'p', state: 'PAID', refundsOpen: 1 }]);
      expect(result.discrepancies).toEqual([]);
    }
  });

  it('matches a refund named by sn to the payment with that sn', () => {
    const p = { ...payment('p', 'PAID', 1000), sn: '7890' };
    expect(refundsOf(p, [refund('x', 'REFUNDED', 100, { clientSn: undefined, sn: '7890' })])).toEqual({
      refundedFen: 100,
      open: 0,
    });
    expect(refundsOf(p, [refund('x', 'REFUNDED', 100, { clientSn: undefined, sn: '1111' })]).refundedFen).toBe(0);
    expect(
      refundsOf(payment('p', 'PAID'), [refund('x', 'REFUNDED', 100, { clientSn: undefined, sn: '7890' })]),
    ).toEqual({ refundedFen: 0, open: 0 });
  });

  it('comparePayment: PAID keeps amount − refunded; all of it refunded and still kept is 长款, nothing kept is 短款', () => {
    const paid = { state: 'PAID' as const, amountFen: 1000 };
    expect(comparePayment(paid, 1000)).toBe('matched');
    expect(comparePayment(paid, 700, { refundedFen: 300, open: 0 })).toBe('matched');
    expect(comparePayment(paid, 0, { refundedFen: 1000, open: 0 })).toBe('matched');
    expect(comparePayment(paid, 700)).toBe('amount mismatch'); // a refund nobody of ours made
    expect(comparePayment(paid, 0, { refundedFen: 300, open: 0 })).toBe('短款');
    expect(comparePayment(paid, 300, { refundedFen: 1000, open: 0 })).toBe('长款');
    expect(comparePayment(paid, 1000, { refundedFen: 300, open: 0 })).toBe('amount mismatch');
    expect(comparePayment(paid, 700, { refundedFen: 300, open: 1 })).toBe('open');
    // Not PAID: refunds change nothing.
    expect(comparePayment({ state: 'CANCELED', amountFen: 1000 }, 0, { refundedFen: 300, open: 0 })).toBe('matched');
  });

  it('reads refunded_fen from a bill file when present, and from the simulator ledger', () => {
    const csv =
      'terminal_sn,client_sn,sn,order_status,kept_fen,refunded_fen\nT,c1,s1,PARTIAL_REFUNDED,700,300\nT,c2,s2,PAID,1000,\n';
    expect(ordersFromCsv(csv)).toEqual([
      { terminalSn: 'T', clientSn: 'c1', sn: 's1', orderStatus: 'PARTIAL_REFUNDED', keptFen: 700, refundedFen: 300 },
      { terminalSn: 'T', clientSn: 'c2', sn: 's2', orderStatus: 'PAID', keptFen: 1000 },
    ]);
    expect(() => ordersFromCsv('terminal_sn,client_sn,sn,order_status,kept_fen,refunded_fen\nT,c,s,PAID,1,-2')).toThrow(
      /line 2: refunded_fen/,
    );
    const paidThenRefunded = reconcile([payment('c1', 'PAID', 1000)], ordersFromCsv(csv).slice(0, 1), [
      refund('c1', 'REFUNDED', 300),
    ]);
    expect(paidThenRefunded.matched).toBe(1);
  });
});

import { ordersFromCsv, reconcile, type GatewayOrder } from '../../scripts/reconcile/reconcile';
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
});

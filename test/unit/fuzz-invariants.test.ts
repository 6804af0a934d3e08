import type { LedgerView } from '../../simulator';
import { paymentViolations } from '../fuzz/invariants';
import type { PaymentStatus } from '../../workflows/types';

const concluded = (over: Partial<PaymentStatus> = {}): PaymentStatus =>
  ({
    state: 'PAID',
    terminalSn: 'T',
    clientSn: 'c1',
    amountFen: 100,
    calls: [],
    ignored: [],
    timing: { revokeWindowEnd: 10_000 },
    ...over,
  }) as PaymentStatus;

const ledger = (order: Partial<LedgerView['orders'][number]> | undefined, more: Partial<LedgerView> = {}): LedgerView =>
  ({
    orders: order
      ? [{ terminal_sn: 'T', client_sn: 'c1', sn: 's1', order_status: 'PAID', kept_fen: 100, history: [], ...order }]
      : [],
    requests: [],
    counters: { pay_calls_by_client_sn: { c1: 1 }, reversals_by_sn: {} },
    ...more,
  }) as unknown as LedgerView;

/** The fuzzer is only as good as its checks: each invariant must bite on the break it names. */
describe('fuzz invariants', () => {
  it('accepts consistent books', () => {
    expect(paymentViolations(concluded(), ledger({}))).toEqual([]);
    expect(
      paymentViolations(concluded({ state: 'CANCELED' }), ledger({ order_status: 'PAY_CANCELED', kept_fen: 0 })),
    ).toEqual([]);
  });

  it.each([
    ['短款', concluded(), ledger({ order_status: 'PAY_CANCELED', kept_fen: 0 })],
    ['长款', concluded({ state: 'FAILED' }), ledger({})],
    ['NEEDS_ATTENTION without a reason', concluded({ state: 'NEEDS_ATTENTION' }), ledger({})],
    ['ended in CONFIRMING', concluded({ state: 'CONFIRMING' }), ledger({})],
    [
      'paid 2 times',
      concluded(),
      ledger({}, { counters: { pay_calls_by_client_sn: { c1: 2 }, reversals_by_sn: {} } } as never),
    ],
    [
      'reversed twice',
      concluded({ state: 'CANCELED' }),
      ledger({ kept_fen: 0 }, { counters: { pay_calls_by_client_sn: {}, reversals_by_sn: { s1: 2 } } } as never),
    ],
    [
      'revoke nobody asked for',
      concluded({ state: 'REVOKED' }),
      ledger({ kept_fen: 0, history: [{ at: 1, from: 'PAID', to: 'CANCELED', cause: 'revoke' }] }),
    ],
    [
      'revoke moved the order from CREATED',
      concluded({ state: 'REVOKED', revoke: {} as never }),
      ledger({ kept_fen: 0, history: [{ at: 1, from: 'CREATED', to: 'CANCELED', cause: 'revoke' }] }),
    ],
    [
      'after the window',
      concluded({ state: 'REVOKED', revoke: {} as never }),
      ledger(
        { kept_fen: 0 },
        {
          requests: [
            { at: 10_500, endpoint: '/upay/v2/revoke', client_sn: 'c1', signature_valid: true, http_status: 200 },
          ],
        },
      ),
    ],
    [
      'not correctly signed',
      concluded(),
      ledger(
        {},
        { requests: [{ at: 1, endpoint: '/upay/v2/pay', client_sn: 'c1', signature_valid: false, http_status: 400 }] },
      ),
    ],
  ])('reports %s', (expected, status, books) => {
    expect(paymentViolations(status, books).join('; ')).toContain(expected);
  });
});

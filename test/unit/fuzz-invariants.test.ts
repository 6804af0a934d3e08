import type { LedgerView } from '../../simulator';
import { checkPayment, paymentViolations } from '../fuzz/invariants';
import type { PaymentState, PaymentStatus } from '../../workflows/types';

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

type Order = LedgerView['orders'][number];
type Request = LedgerView['requests'][number];

const order = (over: Partial<Order> = {}): Order =>
  ({
    terminal_sn: 'T',
    client_sn: 'c1',
    sn: 's1',
    total_amount: '100',
    order_status: 'PAID',
    created_at: 0,
    kept_fen: 100,
    history: [],
    movements: [{ at: 0, kind: 'capture', amount_fen: 100 }],
    ...over,
  }) as Order;

/** Books with our order (`undefined`: none), more orders, requests, counters. */
const ledger = (
  own: Partial<Order> | undefined,
  more: { others?: Partial<Order>[]; requests?: Request[]; counters?: Partial<LedgerView['counters']> } = {},
): LedgerView =>
  ({
    orders: [...(own ? [order(own)] : []), ...(more.others ?? []).map(order)],
    requests: more.requests ?? [],
    pending: [],
    counters: { pay_calls_by_client_sn: { c1: 1 }, reversals_by_sn: {}, ...more.counters },
  }) as unknown as LedgerView;

const request = (over: Partial<Request>): Request => ({
  at: 1,
  endpoint: 'query',
  terminal_sn: 'T',
  client_sn: 'c1',
  signature_valid: true,
  http_status: 200,
  ...over,
});

const reversed = { order_status: 'CANCELED', kept_fen: 0 } as const;
const reversal = (at: number, amount = 100) => ({ at, kind: 'reversal' as const, amount_fen: amount });
const capture = (at: number) => ({ at, kind: 'capture' as const, amount_fen: 100 });
const told = (...states: PaymentState[]) => ({ told: states });
const someoneElses = { sn: 's9', terminal_sn: '100000000000009999', created_at: 0 };

/** The fuzzer is only as good as its checks: each invariant must bite on the break it names. */
describe('fuzz invariants', () => {
  it('accepts consistent books', () => {
    expect(paymentViolations(concluded(), ledger({}), told('PAID'))).toEqual([]);
    expect(
      paymentViolations(concluded({ state: 'CANCELED' }), ledger({ order_status: 'PAY_CANCELED', kept_fen: 0 })),
    ).toEqual([]);
    // A slow revoke shows CANCEL_INPROGRESS on its way (PAID → CANCEL_INPROGRESS → CANCELED, cause revoke).
    const slowRevoke = ledger({
      ...reversed,
      movements: [capture(0), reversal(3)],
      history: [
        { at: 2, from: 'PAID', to: 'CANCEL_INPROGRESS', cause: 'revoke' },
        { at: 3, from: 'CANCEL_INPROGRESS', to: 'CANCELED', cause: 'revoke' },
      ],
    });
    expect(paymentViolations(concluded({ state: 'REVOKED', revoke: {} as never }), slowRevoke, told('PAID'))).toEqual(
      [],
    );
    // Someone else's order under the client_sn (another terminal) is not ours: its capture, its money, untouched.
    const beside = ledger(undefined, {
      others: [someoneElses],
      counters: { captures_by_client_sn: { c1: 1 } },
      requests: [request({ endpoint: 'pay' }), request({ at: 2, endpoint: 'query', sn: 's9' })],
    });
    expect(
      paymentViolations(concluded({ state: 'NEEDS_ATTENTION', escalation: { reason: 'R1', at: 2 } }), beside),
    ).toEqual([]);
    // A person has it: what the checkout was told is not judged against the books.
    expect(
      paymentViolations(
        concluded({ state: 'NEEDS_ATTENTION', escalation: { reason: 'disagrees at close', at: 9 } }),
        ledger(reversed),
        told('PAID'),
      ),
    ).toEqual([]);
  });

  it.each([
    // closed ⇒ agrees with the books
    ['短款', concluded(), ledger({ order_status: 'PAY_CANCELED', kept_fen: 0 })],
    ['长款', concluded({ state: 'FAILED' }), ledger({})],
    ['NEEDS_ATTENTION without a reason', concluded({ state: 'NEEDS_ATTENTION' }), ledger({})],
    ['ended in CONFIRMING', concluded({ state: 'CONFIRMING' }), ledger({})],
    // another order's money is not ours (R1): the same client_sn, another amount on our own terminal
    [
      '短款: saga PAID, gateway kept 0',
      concluded(),
      ledger(undefined, { others: [{ total_amount: '1', kept_fen: 1 }] }),
    ],
    // counts
    ['paid 2 times', concluded(), ledger({}, { counters: { pay_calls_by_client_sn: { c1: 2 } } })],
    [
      'reversed twice',
      concluded({ state: 'CANCELED' }),
      ledger(reversed, { counters: { reversals_by_sn: { s1: 2 } } }),
    ],
    [
      'captured 2 times',
      concluded({ state: 'CANCELED' }),
      ledger({ ...reversed, movements: [capture(0), reversal(1), capture(2), reversal(3)] }),
    ],
    // revokes
    [
      'revoke nobody asked for',
      concluded({ state: 'REVOKED' }),
      ledger({ ...reversed, history: [{ at: 1, from: 'PAID', to: 'CANCELED', cause: 'revoke' }] }),
    ],
    [
      'revoke moved the order from CREATED',
      concluded({ state: 'REVOKED', revoke: {} as never }),
      ledger({ ...reversed, history: [{ at: 1, from: 'CREATED', to: 'CANCELED', cause: 'revoke' }] }),
    ],
    [
      'after the window',
      concluded({ state: 'REVOKED', revoke: {} as never }),
      ledger(reversed, { requests: [request({ at: 10_500, endpoint: 'revoke' })] }),
    ],
    [
      'not correctly signed',
      concluded(),
      ledger({}, { requests: [request({ endpoint: 'pay', signature_valid: false, http_status: 400 })] }),
    ],
  ])('reports %s', (expected, status, books) => {
    expect(paymentViolations(status, books).join('; ')).toContain(expected);
  });

  describe('what the checkout was told', () => {
    it('told PAID ⇒ the gateway keeps the money, unless revoked or a person has it', () => {
      // The saga closed FAILED and agrees with the books, but the checkout had been told PAID.
      const v = paymentViolations(
        concluded({ state: 'FAILED' }),
        ledger({ order_status: 'PAY_CANCELED', kept_fen: 0 }),
        told('PAID'),
      );
      expect(v).toEqual([expect.stringContaining('told PAID, gateway kept 0 of 100')]);
      expect(
        paymentViolations(concluded({ state: 'REVOKED', revoke: {} as never }), ledger(reversed), told('PAID')),
      ).toEqual([]);
    });

    it('never told PAID once a cancel was sent (R2)', () => {
      const calls = [
        { step: 'cancel', operation: 'cancel', kind: 'unknown', reason: 'reset' },
      ] as PaymentStatus['calls'];
      expect(paymentViolations(concluded({ calls }), ledger({}), told('PAID'))).toEqual([
        'told PAID after a cancel was sent (R2)',
      ]);
      expect(paymentViolations(concluded({ calls }), ledger({}), told('CANCELED'))).toContain(
        'told CANCELED, gateway kept 100 of 100 (PAID)',
      );
    });
  });

  describe('what the operator was told', () => {
    const refused = concluded({
      state: 'NEEDS_ATTENTION',
      escalation: { reason: 'order is CANCELED at the gateway at close, but the payment is PAID', at: 9 },
      revoke: { status: 'REFUSED' } as never,
    });
    const returned = ledger({
      ...reversed,
      movements: [capture(0), reversal(3)],
      history: [{ at: 3, from: 'PAID', to: 'CANCELED', cause: 'revoke' }],
    });

    it('REFUSED ⇒ the money stayed (R3)', () => {
      expect(paymentViolations(refused, returned)).toEqual([
        'revoke reported REFUSED, gateway kept 0 of 100 (CANCELED)',
      ]);
      expect(paymentViolations(concluded({ revoke: { status: 'REFUSED' } as never }), ledger({}))).toEqual([]);
    });

    it('is not judged when the reversal landed beyond the doubt window (R5 says it cannot)', () => {
      expect(paymentViolations(refused, returned, { beyondDoubt: true })).toEqual([]);
    });
  });

  describe('no reversal for an order that is not the payment’s (R1)', () => {
    const attention = concluded({ state: 'NEEDS_ATTENTION', escalation: { reason: 'another order', at: 2 } });

    it('reports another order reversed or aborted by our cancel or revoke', () => {
      const theirs = {
        ...someoneElses,
        ...reversed,
        history: [{ at: 2, from: 'PAID', to: 'CANCELED', cause: 'cancel' }],
      };
      expect(paymentViolations(attention, ledger(undefined, { others: [theirs as never] }))).toEqual([
        'a cancel moved another order (sn s9, terminal 100000000000009999, 100 fen) PAID→CANCELED',
      ]);
      const amount = {
        total_amount: '1',
        sn: 's8',
        history: [{ at: 2, from: 'CREATED', to: 'PAY_CANCELED', cause: 'cancel' }],
      };
      expect(paymentViolations(attention, ledger(undefined, { others: [amount as never] })).join()).toContain(
        'a cancel moved another order (sn s8, terminal T, 1 fen) CREATED→PAY_CANCELED',
      );
    });

    it('reports a cancel or revoke sent for it, even refused or unanswered', () => {
      const books = ledger(undefined, {
        others: [someoneElses],
        requests: [request({ at: 2, endpoint: 'revoke', sn: 's9', biz_result_code: 'FAIL' })],
      });
      expect(paymentViolations(attention, books)).toEqual([
        'a revoke was sent for another order (sn s9, terminal 100000000000009999, 100 fen)',
      ]);
      const blind = ledger(undefined, {
        others: [someoneElses],
        requests: [request({ at: 2, endpoint: 'cancel', http_status: 0, fault: 'reset' })],
      });
      expect(paymentViolations(attention, blind)).toEqual([
        'a cancel by client_sn was sent while the order under it was another order (sn s9, terminal 100000000000009999, 100 fen)',
      ]);
    });

    it('does not blame a cancel by client_sn sent before the other order existed', () => {
      const books = ledger(undefined, {
        others: [{ ...someoneElses, created_at: 5 }],
        requests: [request({ at: 2, endpoint: 'cancel', http_status: 200, error_code: 'UPAY_ORDER_NOT_EXISTS' })],
      });
      expect(paymentViolations(attention, books)).toEqual([]);
    });
  });

  describe('effects beyond the doubt window', () => {
    // A revoke refused, the payment closed PAID; a first revoke lands at 8 000, after the saga's last request at 7 100.
    const landedLater = ledger(
      { ...reversed, movements: [capture(0), reversal(8_000)] },
      { requests: [request({ at: 7_100, endpoint: 'query' })] },
    );

    it('judges the books as the saga last saw them when the effect landed after its last request', () => {
      expect(checkPayment({ concluded: concluded(), told: ['PAID'], beyondDoubt: true }, landedLater)).toEqual({
        violations: [],
        landedAfterClose: true,
      });
    });

    it('still reports it within the doubt window, or when the books disagreed at the last look too', () => {
      expect(paymentViolations(concluded(), landedLater)).toEqual([
        '短款: saga PAID, gateway kept 0 of 100 (CANCELED)',
      ]);
      const before = ledger(
        { ...reversed, movements: [capture(0), reversal(7_000)] },
        { requests: [request({ at: 7_100, endpoint: 'query' })] },
      );
      expect(checkPayment({ concluded: concluded(), beyondDoubt: true }, before).violations).toEqual([
        '短款: saga PAID, gateway kept 0 of 100 (CANCELED)',
      ]);
    });
  });
});

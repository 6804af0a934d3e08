import type { LedgerView } from '../../simulator';
import { checkPayment, checkRefunds, paymentViolations, type RefundRun } from '../fuzz/invariants';
import type { RefundState, RefundStatus } from '../../workflows/refund-types';
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

/** A refund run: told, concluded and final states of refund `no` of `amount` fen (final = concluded unless given). */
const refundRun = (
  no: string,
  amount: number,
  concludedState: RefundState,
  more: Partial<RefundRun> = {},
): RefundRun => {
  const status = (state: RefundState, over: Partial<RefundStatus> = {}) =>
    ({
      state,
      terminalSn: 'T',
      clientSn: 'c1',
      refundRequestNo: no,
      amountFen: amount,
      calls: [],
      ...over,
    }) as RefundStatus;
  const concludedStatus = status(
    concludedState,
    concludedState === 'NEEDS_ATTENTION' ? { escalation: { reason: 'no answer', at: 1 } } : {},
  );
  return {
    refundRequestNo: no,
    amountFen: amount,
    told: [concludedState],
    concluded: concludedStatus,
    final: concludedStatus,
    ...more,
  };
};
const refundMove = (no: string, amount: number, at = 5) => ({
  at,
  kind: 'refund' as const,
  amount_fen: amount,
  refund_request_no: no,
});
const landed = (no: string, amount: number) => ({
  refund_request_no: no,
  amount_fen: amount,
  state: 'landed' as const,
  client_tsn: `c1-${no}`,
  requested_at: 4,
  landed_at: 5,
});
/** Our order of 100 fen with refunds landed (`moves`), other refund entries, and the counters the simulator derives. */
const refundedBooks = (
  moves: { no: string; amount: number }[],
  more: { entries?: object[]; counts?: Record<string, number>; requests?: Request[] } = {},
) => {
  const refunded = moves.reduce((n, m) => n + m.amount, 0);
  const counts: Record<string, number> = {};
  for (const m of moves) counts[`s1/${m.no}`] = (counts[`s1/${m.no}`] ?? 0) + 1;
  return ledger(
    {
      order_status: refunded >= 100 ? 'REFUNDED' : refunded > 0 ? 'PARTIAL_REFUNDED' : 'PAID',
      captured_fen: 100,
      reversed_fen: 0,
      refunded_fen: refunded,
      kept_fen: 100 - refunded,
      movements: [capture(0), ...moves.map((m) => refundMove(m.no, m.amount))],
      refunds: [...moves.map((m) => landed(m.no, m.amount)), ...(more.entries ?? [])],
    } as Partial<Order>,
    { counters: { refunds_by_request: more.counts ?? counts }, ...(more.requests ? { requests: more.requests } : {}) },
  );
};
const paid = { terminalSn: 'T', clientSn: 'c1', amountFen: 100 };

describe('fuzz refund invariants (generator 3)', () => {
  it('accepts consistent books: partial and full refunds REFUNDED, the rest REFUSED or NOT_REFUNDED moving nothing', () => {
    const books = refundedBooks([
      { no: 'R0', amount: 30 },
      { no: 'R1', amount: 70 },
    ]);
    const runs = [
      refundRun('R0', 30, 'REFUNDED'),
      refundRun('R1', 70, 'REFUNDED', { told: ['REFUNDED', 'REFUNDED'] }), // started twice, one refund
      refundRun('R2', 100, 'REFUSED'),
      refundRun('R3', 5, 'NEEDS_ATTENTION', { final: refundRun('R3', 5, 'NOT_REFUNDED').final, told: [] }),
    ];
    expect(checkRefunds(paid, runs, books)).toEqual([]);
    // An escalation resolved REFUNDED from the books, as the fuzz's operator does.
    const resolved = refundRun('R0', 30, 'NEEDS_ATTENTION', { final: refundRun('R0', 30, 'REFUNDED').final });
    expect(checkRefunds(paid, [resolved], refundedBooks([{ no: 'R0', amount: 30 }]))).toEqual([]);
  });

  it('bites when more is refunded than was paid', () => {
    const books = refundedBooks([
      { no: 'R0', amount: 60 },
      { no: 'R1', amount: 60 },
    ]);
    const v = checkRefunds(paid, [refundRun('R0', 60, 'REFUNDED'), refundRun('R1', 60, 'REFUNDED')], books);
    expect(v).toEqual(expect.arrayContaining(['refunded 120 fen of 100 paid']));
  });

  it('bites when a refund is counted twice (two movements, refunds_by_request 2)', () => {
    const books = refundedBooks(
      [
        { no: 'R0', amount: 30 },
        { no: 'R0', amount: 30 },
      ],
      { counts: { 's1/R0': 2 } },
    );
    const v = checkRefunds(paid, [refundRun('R0', 30, 'REFUNDED')], books);
    expect(v).toEqual(expect.arrayContaining(['refund s1/R0 counted 2 times', 'refund R0 (30 fen) moved 2 times']));
  });

  it('bites when a refund reported REFUNDED is not held by the gateway, told or after a resolution', () => {
    const none = refundedBooks([]);
    expect(checkRefunds(paid, [refundRun('R0', 30, 'REFUNDED')], none)).toEqual([
      'refund R0 (30 fen) reported REFUNDED, the gateway does not hold it (no such refund)',
    ]);
    const pending = refundedBooks([], {
      entries: [{ refund_request_no: 'R0', amount_fen: 30, state: 'pending', client_tsn: 'x', requested_at: 1 }],
    });
    expect(checkRefunds(paid, [refundRun('R0', 30, 'REFUNDED')], pending)).toHaveLength(1);
    const resolvedWrong = refundRun('R0', 30, 'NEEDS_ATTENTION', { final: refundRun('R0', 30, 'REFUNDED').final });
    expect(checkRefunds(paid, [resolvedWrong], none)).toHaveLength(1);
  });

  it('bites when the gateway holds a refund that ended otherwise (REFUSED, NOT_REFUNDED, still running)', () => {
    const books = refundedBooks([{ no: 'R0', amount: 30 }]);
    expect(checkRefunds(paid, [refundRun('R0', 30, 'REFUSED')], books)).toEqual([
      'the gateway holds refund R0 (30 fen), the refund ended REFUSED',
      'refund R0 (30 fen) reported REFUSED, the gateway moved it',
    ]);
    const notRefunded = refundRun('R0', 30, 'NEEDS_ATTENTION', { final: refundRun('R0', 30, 'NOT_REFUNDED').final });
    expect(checkRefunds(paid, [notRefunded], books)).toEqual([
      'the gateway holds refund R0 (30 fen), the refund ended NOT_REFUNDED',
      'refund R0 (30 fen) reported NOT_REFUNDED, the gateway moved it',
    ]);
    expect(checkRefunds(paid, [refundRun('R0', 30, 'REFUNDING')], books)).toEqual(
      expect.arrayContaining(['refund R0 (30 fen) still REFUNDING']),
    );
  });

  it('bites when a refund told REFUSED moved money (even if it ended REFUNDED), or moved another amount', () => {
    const books = refundedBooks([{ no: 'R0', amount: 30 }]);
    const toldRefused = refundRun('R0', 30, 'REFUNDED', { told: ['REFUSED'] });
    expect(checkRefunds(paid, [toldRefused], books)).toEqual([
      'refund R0 (30 fen) reported REFUSED, the gateway moved it',
    ]);
    expect(checkRefunds(paid, [refundRun('R0', 40, 'REFUNDED')], books)).toEqual(
      expect.arrayContaining(['refund R0 (40 fen) moved 30 fen']),
    );
  });

  it('bites on a refund nobody asked for, an escalation without a reason, and a badly signed request', () => {
    const books = refundedBooks([{ no: 'R9', amount: 30 }]);
    expect(checkRefunds(paid, [], books)).toEqual(['a refund nobody asked for moved 30 fen']);
    const noReason = refundRun('R0', 30, 'NEEDS_ATTENTION', { final: refundRun('R0', 30, 'NOT_REFUNDED').final });
    noReason.concluded = { ...noReason.concluded, escalation: undefined };
    expect(checkRefunds(paid, [noReason], refundedBooks([]))).toEqual([
      'refund R0 (30 fen) NEEDS_ATTENTION without a reason',
    ]);
    const unsigned = refundedBooks([], {
      requests: [request({ endpoint: 'refund', client_sn: undefined, sn: 's1', signature_valid: false })],
    });
    expect(checkRefunds(paid, [refundRun('R0', 30, 'REFUSED')], unsigned)).toEqual([
      'a gateway request of a refund was not correctly signed',
    ]);
  });
});

import { parseScenario, type LedgerView, type RefundStep } from '../../simulator';
import type { RefundStatus } from '../../workflows/refund-types';
import type { PaymentStatus } from '../../workflows/types';
import { checkPayment, checkPaymentKnowsRefunds, type RefundRun } from './invariants';
import { knobsOf, scheduleOf } from './schedule';

/**
 * Generator 4 and its invariants, without a server (the file sits beside the fuzz it checks; the runs
 * themselves are fault-schedules.test.ts and `npm run fuzz -- --generator 4`).
 */
describe('fuzz schedule generator 4 (the payment knows its refunds)', () => {
  const plans = Array.from({ length: 400 }, (_, i) => scheduleOf(i + 1, 4)).flatMap((s) => s.payments);

  it('draws only scenarios the simulator accepts as JSON, unchanged by its validation', () => {
    for (const { scenario } of plans) expect(parseScenario(JSON.parse(JSON.stringify(scenario)))).toEqual(scenario);
  });

  it('draws refunds of open payments, revokes after them, give-backs (all and part) and refunds after the close', () => {
    const share = (f: (p: (typeof plans)[number]) => boolean) => plans.filter(f).length / plans.length;
    expect(share((p) => p.openRefunds !== undefined)).toBeGreaterThan(0.2);
    expect(share((p) => p.revokeAfterRefund !== undefined)).toBeGreaterThan(0.1);
    expect(share((p) => p.giveBack?.amount === 'all')).toBeGreaterThan(0.1);
    expect(share((p) => p.giveBack !== undefined && p.giveBack.amount !== 'all')).toBeGreaterThan(0.02);
    expect(share((p) => p.refunds !== undefined && p.openRefunds === undefined)).toBeGreaterThan(0.2);
    expect(share((p) => p.refunds !== undefined && p.openRefunds !== undefined)).toBeGreaterThan(0.03);
    // A revoke after a refund is asked only of a payment refunded while open, with no other revoke drawn.
    for (const p of plans.filter((x) => x.revokeAfterRefund))
      expect([!!p.openRefunds, p.revoke]).toEqual([true, undefined]);
    const knobs = new Set(plans.flatMap(knobsOf));
    for (const knob of ['refunds of the open payment', 'revoke asked after a refund', 'give back all when kept'])
      expect(knobs).toContain(knob);
  });

  it('gives a give-back refund (production refund timing) only knobs that settle within seconds', () => {
    const refusal = (s: RefundStep) =>
      s === 'REFUND_FAIL' || (typeof s === 'object' && 'answer' in s && s.answer === 'REFUND_FAIL');
    for (const p of plans.filter((x) => x.giveBack)) {
      const steps = p.scenario.refund ?? [];
      expect(steps.length).toBeGreaterThan(0);
      expect(steps.length).toBeLessThanOrEqual(2);
      // A refusal only as the first and only step: after an attempt in doubt it would wait out 60 s.
      if (steps.some(refusal)) expect(steps).toHaveLength(1);
      expect(JSON.stringify(steps)).not.toMatch(/"outcome":"failed"|"hang"/);
    }
  });
});

const payment = (over: Partial<PaymentStatus> = {}): PaymentStatus =>
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

/** Books with our order of 100 fen, `refunded` of it given back (refund R0), and the given requests. */
const books = (refunded: number, over: Partial<Order> = {}, requests: LedgerView['requests'] = []): LedgerView =>
  ({
    orders: [
      {
        terminal_sn: 'T',
        client_sn: 'c1',
        sn: 's1',
        total_amount: '100',
        order_status: refunded === 0 ? 'PAID' : refunded === 100 ? 'REFUNDED' : 'PARTIAL_REFUNDED',
        created_at: 0,
        captured_fen: 100,
        reversed_fen: 0,
        refunded_fen: refunded,
        kept_fen: 100 - refunded,
        history: [],
        refunds: refunded > 0 ? [{ refund_request_no: 'S0', state: 'landed' }] : [],
        movements: [
          { at: 0, kind: 'capture', amount_fen: 100 },
          ...(refunded > 0 ? [{ at: 2, kind: 'refund', amount_fen: refunded, refund_request_no: 'S0' }] : []),
        ],
        ...over,
      },
    ],
    requests,
    pending: [],
    counters: { pay_calls_by_client_sn: { c1: 1 }, reversals_by_sn: {}, refunds_by_request: {} },
  }) as unknown as LedgerView;

const refundRun = (no: string, amountFen: number, state: RefundStatus['state']): RefundRun => {
  const status = { state, terminalSn: 'T', clientSn: 'c1', refundRequestNo: no, amountFen } as RefundStatus;
  return { refundRequestNo: no, amountFen, told: [], concluded: status, final: status };
};

const told = (no: string, amountFen: number, state: NonNullable<PaymentStatus['refunds']>[number]['state']) => ({
  refunds: [{ refundRequestNo: no, amountFen, state, firstToldAt: 1, toldAt: 2 }],
});

/** The fuzzer is only as good as its checks: each new invariant must bite on the break it names. */
describe("fuzz invariants of the refunds of a payment's day", () => {
  it('judges a PAID payment by paid − refunded, as reconcile does', () => {
    const refunds = { refundedFen: 40, open: 0 };
    expect(checkPayment({ concluded: payment(), told: ['PAID'], refunds }, books(40)).violations).toEqual([]);
    expect(checkPayment({ concluded: payment(), told: ['PAID'], refunds }, books(0)).violations).toEqual([
      'amount mismatch: saga PAID (refunded 40), gateway kept 100 of 100 (PAID)',
      'told PAID less 40 refunded, gateway kept 100 of 100 (PAID)',
    ]);
    // A refund not concluded leaves the payment open: it must not have closed.
    expect(checkPayment({ concluded: payment(), refunds: { refundedFen: 0, open: 1 } }, books(0)).violations).toEqual([
      'ended in PAID with 1 refunds not concluded',
    ]);
  });

  it('accepts a payment that holds what its refunds ended as', () => {
    const run = refundRun('S0', 40, 'REFUNDED');
    expect(checkPaymentKnowsRefunds(payment(told('S0', 40, 'REFUNDED')), [run], [], undefined, books(40))).toEqual([]);
  });

  it('bites on a refund the payment holds in another state, of another amount, or nobody asked for', () => {
    const run = refundRun('S0', 40, 'REFUNDED');
    expect(checkPaymentKnowsRefunds(payment(told('S0', 40, 'REFUNDING')), [run], [], undefined, books(40))).toEqual([
      'the payment closed holding refund S0 REFUNDING, it ended REFUNDED',
    ]);
    expect(checkPaymentKnowsRefunds(payment(told('S0', 41, 'REFUNDED')), [run], [], undefined, books(40))).toEqual([
      'the payment holds refund S0 as 41 fen, it was 40',
    ]);
    expect(checkPaymentKnowsRefunds(payment(told('S7', 40, 'REFUNDED')), [run], [], undefined, books(40))).toEqual([
      'the payment was told of refund S7, nobody asked for it',
    ]);
    const twice = { refunds: [...told('S0', 40, 'REFUNDED').refunds, ...told('S0', 40, 'REFUNDED').refunds] };
    expect(checkPaymentKnowsRefunds(payment(twice), [run], [], undefined, books(40))).toEqual([
      'the payment holds refund S0 twice',
    ]);
  });

  it('bites on a revoke after a refund that was not REFUSED, or reached the gateway', () => {
    const run = refundRun('S0', 40, 'REFUNDED');
    const after = { via: 'update' as const, seenRefunded: { refundRequestNo: 'S0', at: 5 }, accepted: true };
    const refused = payment({ ...told('S0', 40, 'REFUNDED'), revoke: { status: 'REFUSED' } as never });
    expect(checkPaymentKnowsRefunds(refused, [run], [], after, books(40))).toEqual([]);
    const revoked = payment({ ...told('S0', 40, 'REFUNDED'), revoke: { status: 'REVOKED' } as never });
    expect(checkPaymentKnowsRefunds(revoked, [run], [], after, books(40))).toEqual([
      'a revoke asked after refund S0 showed REFUNDED ended REVOKED, not REFUSED',
    ]);
    const sent = [{ at: 6, endpoint: 'revoke', terminal_sn: 'T', client_sn: 'c1', signature_valid: true }];
    expect(checkPaymentKnowsRefunds(refused, [run], [], after, books(40, {}, sent as never))).toEqual([
      'a revoke asked after refund S0 showed REFUNDED reached the gateway (1 revoke requests)',
    ]);
  });

  it('bites on a give-back that the resolution records otherwise, or that left money kept', () => {
    const given = refundRun('G1', 100, 'REFUNDED');
    const resolution = (state: string) =>
      ({ resolution: { refundStarted: { workflowId: 'upay-refund-T-G1-c-c1', state } } }) as Partial<PaymentStatus>;
    const g1 = told('G1', 100, 'REFUNDED');
    expect(
      checkPaymentKnowsRefunds(payment({ ...g1, ...resolution('REFUNDED') }), [given], [given], undefined, books(100)),
    ).toEqual([]);
    expect(
      checkPaymentKnowsRefunds(payment({ ...g1, ...resolution('REFUSED') }), [given], [given], undefined, books(100)),
    ).toEqual(['give-back refund G1 (100 fen) ended REFUNDED, the resolution says REFUSED']);
    expect(
      checkPaymentKnowsRefunds(payment({ ...g1, ...resolution('REFUNDED') }), [given], [given], undefined, books(0)),
    ).toEqual(['give-back refund G1 (100 fen) gave all back, the gateway keeps 100']);
  });
});

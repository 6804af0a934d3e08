import fc from 'fast-check';
import { REFUND_TRANSITIONS, findRefundTransition } from '../../workflows/refund-transitions';
import {
  DEFAULT_REFUND_TIMING,
  refundDelayMs,
  refundSchedule,
  resolveRefundTiming,
} from '../../workflows/refund-timing';
import { REFUND_OUTCOME_STATES, refundWorkflowId, type RefundRequest } from '../../workflows/refund-types';
import { validateRefundRequest, validateRefundResolveRequest } from '../../workflows/refund-validation';
import { paymentWorkflowId } from '../../workflows/types';

const VALID: RefundRequest = {
  terminalSn: '100000000000000042',
  clientSn: 'order-1',
  refundRequestNo: 'R-2026-12-03-1',
  amountFen: 100,
  operator: 'returns-desk-1',
};

describe('refund validation', () => {
  it('accepts a complete request, by clientSn or by sn', () => {
    expect(validateRefundRequest(VALID)).toEqual([]);
    expect(validateRefundRequest({ ...VALID, clientSn: undefined, sn: '7894259244067349' })).toEqual([]);
  });

  it.each([
    [{ ...VALID, terminalSn: '1122234-dewls02s2' }, 'terminalSn', 'must be digits only'],
    [{ ...VALID, refundRequestNo: 'R'.repeat(21) }, 'refundRequestNo', 'must be at most 20 characters, got 21'],
    [{ ...VALID, refundRequestNo: 'R 1' }, 'refundRequestNo', 'must be printable ASCII without spaces'],
    [{ ...VALID, amountFen: 0 }, 'amountFen', 'must be positive'],
    [{ ...VALID, amountFen: 1.5 }, 'amountFen', 'must be an integer number of fen'],
    [{ ...VALID, amountFen: '100' }, 'amountFen', 'must be an integer number of fen'],
    [{ ...VALID, amountFen: 10_000_000_000 }, 'amountFen', 'must be at most 10 digits (≤ 9999999999 fen)'],
    [{ ...VALID, operator: '' }, 'operator', 'must not be empty'],
    [{ ...VALID, sn: '12ab' }, 'sn', 'must be digits only (the gateway order number)'],
    [{ ...VALID, clientSn: undefined }, 'clientSn', 'or sn is required (the order to refund)'],
    [{ ...VALID, refund_amount: 5 }, 'refund_amount', 'is not a known field'],
    [{ ...VALID, timing: { retryDelaysMs: [10] } }, 'timing.retryDelaysMs[0]', 'must be at least 1000 ms'],
    [{ ...VALID, timing: { checkIntervalMs: 50 } }, 'timing.checkIntervalMs', 'must be at least 200 ms'],
    [{ ...VALID, timing: { deadlineMs: 5 } }, 'timing.deadlineMs', 'is not a known field'],
  ])('names the field: %j → %s', (input, field, problem) => {
    expect(validateRefundRequest(input)).toContainEqual({ field, problem });
  });

  it('refuses what is not an object, naming the shape', () => {
    expect(validateRefundRequest('refund 100')[0]?.field).toBe('(request)');
  });

  it('checks a resolution: one of REFUNDED, NOT_REFUNDED, SETTLED_OUTSIDE (with a reference)', () => {
    expect(validateRefundResolveRequest({ operator: 'o', resolution: 'REFUNDED', note: 'n' })).toEqual([]);
    expect(validateRefundResolveRequest({ operator: 'o', resolution: 'PAID', note: 'n' })).toContainEqual({
      field: 'resolution',
      problem: 'must be one of REFUNDED, NOT_REFUNDED, SETTLED_OUTSIDE',
    });
    expect(validateRefundResolveRequest({ operator: 'o', resolution: 'SETTLED_OUTSIDE', note: 'n' })).toContainEqual({
      field: 'reference',
      problem: 'is required',
    });
  });
});

describe('refund workflow ID', () => {
  it('reads as terminal, refund number, order', () => {
    expect(refundWorkflowId(VALID)).toBe('upay-refund-100000000000000042-R%2D2026%2D12%2D03%2D1-c-order-1');
    expect(refundWorkflowId({ terminalSn: '1', sn: '7894259244067349', refundRequestNo: 'R1' })).toBe(
      'upay-refund-1-R1-s-7894259244067349',
    );
  });

  it('is unambiguous: different (terminal, order, refund number) never share an ID, nor a payment ID', () => {
    const id = fc.string({ minLength: 1, maxLength: 6, unit: fc.constantFrom('a', '-', '%', '2', 'D', 'c', 's') });
    const ref = fc.record({
      terminalSn: fc.stringMatching(/^\d{1,4}$/),
      refundRequestNo: id,
      order: fc.oneof(fc.record({ clientSn: id }), fc.record({ sn: fc.stringMatching(/^\d{1,4}$/) })),
    });
    fc.assert(
      fc.property(ref, ref, (a, b) => {
        const ida = refundWorkflowId({ terminalSn: a.terminalSn, refundRequestNo: a.refundRequestNo, ...a.order });
        const idb = refundWorkflowId({ terminalSn: b.terminalSn, refundRequestNo: b.refundRequestNo, ...b.order });
        const same = JSON.stringify(a) === JSON.stringify(b);
        expect(ida === idb).toBe(same);
        expect(ida).not.toBe(paymentWorkflowId(b.terminalSn, 'clientSn' in b.order ? b.order.clientSn : 'x'));
      }),
    );
  });
});

describe('refund transitions and timing', () => {
  it('allows only the rows of the table; every outcome state is reachable; final states have no way out but a person', () => {
    expect(
      findRefundTransition('LOOKING', 'REFUNDING', 'look: our order, PAID or PARTIAL_REFUNDED, enough net_amount'),
    ).toBeDefined();
    expect(findRefundTransition('REFUNDED', 'REFUSED', 'operator resolution')).toBeUndefined();
    for (const state of REFUND_OUTCOME_STATES) expect(REFUND_TRANSITIONS.some((t) => t.to === state)).toBe(true);
    for (const final of ['REFUNDED', 'REFUSED', 'NOT_REFUNDED', 'SETTLED_OUTSIDE'])
      expect(REFUND_TRANSITIONS.filter((t) => t.from === final)).toEqual([]);
  });

  it('resolves defaults (5 s doubling to 5 min, deadline an hour after the start) and overrides', () => {
    const t = resolveRefundTiming(undefined, 1_000);
    expect(t).toEqual({
      retryDelaysMs: [...DEFAULT_REFUND_TIMING.retryDelaysMs],
      deadline: 1_000 + 3_600_000,
      requestDoubtMs: 60_000,
      checkIntervalMs: 5_000,
    });
    expect([1, 2, 3, 8, 9, 50].map((n) => refundDelayMs(t, n))).toEqual([0, 5_000, 10_000, 300_000, 300_000, 300_000]);
    expect(refundSchedule(resolveRefundTiming({ deadlineAfterMs: 6_000 }, 0)).lastStartAt).toBe(5_999);
  });
});

import {
  afterLook,
  afterRefund,
  afterRefundCheck,
  notOurs,
  showsOurRefund,
  type RefundTarget,
} from '../../workflows/refund-decisions';
import type { RefundOrderSnapshot } from '../../workflows/refund-types';
import type { GatewayCallResult, GatewayOperation, OutcomeKind } from '../../workflows/types';

const NO = 'R20261203001';
const TARGET: RefundTarget = { terminalSn: '100000000000000042', clientSn: 'C1', refundRequestNo: NO };

function answer(
  operation: GatewayOperation,
  kind: OutcomeKind,
  order?: Partial<RefundOrderSnapshot>,
  extra: Partial<GatewayCallResult> = {},
): GatewayCallResult {
  return {
    operation,
    kind,
    reason: extra.reason ?? kind,
    ...extra,
    ...(order
      ? {
          order: {
            sn: '7894259244067349',
            clientSn: 'C1',
            terminalSn: TARGET.terminalSn,
            orderStatus: 'PAID',
            ...order,
          },
        }
      : {}),
  };
}

describe('refund decision table: the look (before anything is sent)', () => {
  it.each([
    [
      'PAID, net enough',
      answer('query', 'success', { orderStatus: 'PAID', totalAmountFen: 1000, netAmountFen: 1000 }),
      'SEND',
    ],
    [
      'PAID, no net_amount: total counts',
      answer('query', 'success', { orderStatus: 'PAID', totalAmountFen: 1000 }),
      'SEND',
    ],
    [
      'PARTIAL_REFUNDED, net exactly enough',
      answer('query', 'success', { orderStatus: 'PARTIAL_REFUNDED', netAmountFen: 500 }),
      'SEND',
    ],
    [
      'PARTIAL_REFUNDED, net too small',
      answer('query', 'success', { orderStatus: 'PARTIAL_REFUNDED', netAmountFen: 499 }),
      'REFUSE',
    ],
    [
      'PARTIAL_REFUNDED without net_amount',
      answer('query', 'success', { orderStatus: 'PARTIAL_REFUNDED' }),
      'LOOK_AGAIN',
    ],
    ['REFUNDED', answer('query', 'success', { orderStatus: 'REFUNDED', netAmountFen: 0 }), 'REFUSE'],
    ['CANCELED', answer('query', 'success', { orderStatus: 'CANCELED' }), 'REFUSE'],
    ['PAY_CANCELED', answer('query', 'success', { orderStatus: 'PAY_CANCELED' }), 'REFUSE'],
    ['no such order', answer('query', 'definite_failure', undefined, { errorCode: 'UPAY_ORDER_NOT_EXISTS' }), 'REFUSE'],
    ['CREATED (pay still moving)', answer('query', 'in_progress', { orderStatus: 'CREATED' }), 'LOOK_AGAIN'],
    [
      'REFUND_INPROGRESS (another refund)',
      answer('query', 'in_progress', { orderStatus: 'REFUND_INPROGRESS' }),
      'LOOK_AGAIN',
    ],
    ['REFUND_ERROR', answer('query', 'unknown', { orderStatus: 'REFUND_ERROR' }), 'LOOK_AGAIN'],
    ['an unlisted status', answer('query', 'unknown', { orderStatus: 'SOMETHING_NEW' }), 'LOOK_AGAIN'],
    ['no answer', answer('query', 'unknown', undefined, { reason: 'transport ECONNRESET' }), 'LOOK_AGAIN'],
  ])('%s → %s', (_name, look, next) => {
    expect(afterLook(look, 500).next).toBe(next);
  });

  it('refuses with the reference code for each refusal, saying what the look saw', () => {
    expect(afterLook(answer('query', 'success', { orderStatus: 'PAID', netAmountFen: 400 }), 500)).toEqual({
      next: 'REFUSE',
      code: 'REFUNDABLE_AMOUNT_NOT_ENOUGH',
      detail: "look: ¥5.00 asked, the order's net_amount is ¥4.00",
    });
    expect(afterLook(answer('query', 'success', { orderStatus: 'REFUNDED' }), 1)).toMatchObject({
      code: 'UPAY_REFUND_INVALID_ORDER_STATE',
    });
    expect(
      afterLook(answer('query', 'definite_failure', undefined, { errorCode: 'UPAY_ORDER_NOT_EXIST' }), 1),
    ).toMatchObject({ code: 'UPAY_ORDER_NOT_EXIST' });
  });

  it('pins the order it will refund: sn, total and net', () => {
    const look = answer('query', 'success', { orderStatus: 'PAID', totalAmountFen: 1000, netAmountFen: 800 });
    expect(afterLook(look, 800)).toEqual({
      next: 'SEND',
      sn: '7894259244067349',
      totalAmountFen: 1000,
      netAmountFen: 800,
      orderStatus: 'PAID',
    });
  });
});

describe('refund decision table: whose order (R1)', () => {
  it.each([
    ['another client_sn', { clientSn: 'C2' }],
    ['another terminal', { terminalSn: '100000000000000099' }],
    ['another sn than the pinned one', { sn: '1111111111111111' }],
    ['another total than the look saw', { totalAmountFen: 999 }],
  ])('an answer naming %s is not ours', (_name, order) => {
    const pinned = { ...TARGET, sn: '7894259244067349', totalAmountFen: 1000 };
    expect(notOurs(pinned, answer('query', 'success', { totalAmountFen: 1000, ...order }))).toMatch(/another order/);
  });

  it('a refund answer naming another refund_request_no is not ours; a query naming the last refund is', () => {
    expect(notOurs(TARGET, answer('refund', 'success', { refundRequestNo: 'OTHER' }))).toMatch(
      /another refund \(refund_request_no OTHER\)/,
    );
    expect(notOurs(TARGET, answer('query', 'success', { refundRequestNo: 'OTHER' }))).toBeUndefined();
    expect(notOurs(TARGET, answer('refund', 'success', { refundRequestNo: NO }))).toBeUndefined();
    expect(notOurs(TARGET, answer('refund', 'unknown'))).toBeUndefined(); // no order named
  });
});

describe('refund decision table: the refund and its check', () => {
  const calm = { inDoubt: false, everInDoubt: false };
  const doubtful = { inDoubt: true, everInDoubt: true };
  const doubtOver = { inDoubt: false, everInDoubt: true };

  it.each([
    ['REFUND_SUCCESS', answer('refund', 'success'), calm, { next: 'REFUNDED' }],
    [
      'a listed refusal, nothing in doubt',
      answer('refund', 'definite_failure', undefined, { errorCode: 'REFUNDABLE_AMOUNT_NOT_ENOUGH' }),
      calm,
      { next: 'REFUSED', code: 'REFUNDABLE_AMOUNT_NOT_ENOUGH' },
    ],
    [
      'a refusal after an attempt in doubt',
      answer('refund', 'definite_failure', undefined, { errorCode: 'UPAY_REFUND_INVALID_ORDER_STATE' }),
      doubtful,
      { next: 'CHECK', refusal: 'UPAY_REFUND_INVALID_ORDER_STATE' },
    ],
    [
      'a refusal once that doubt is over',
      answer('refund', 'definite_failure', undefined, { errorCode: 'UPAY_REFUND_INVALID_ORDER_STATE' }),
      doubtOver,
      { next: 'CHECK', refusal: 'UPAY_REFUND_INVALID_ORDER_STATE' },
    ],
    ['REFUND_IN_PROGRESS', answer('refund', 'in_progress'), calm, { next: 'CHECK' }],
    ['REFUND_ERROR / lost / unlisted', answer('refund', 'unknown'), calm, { next: 'CHECK' }],
  ])('refund answer %s → %j', (_name, refund, doubt, decision) => {
    expect(afterRefund(refund, doubt)).toEqual(decision);
  });

  const ours = answer('query', 'success', {
    orderStatus: 'PARTIAL_REFUNDED',
    refundRequestNo: NO,
    flowStatus: 'SUCCESS',
  });
  it.each([
    ['this refund shows done', ours, undefined, calm, 'REFUNDED'],
    ['this refund shows done after a refusal', ours, 'REFUNDABLE_AMOUNT_NOT_ENOUGH', doubtOver, 'REFUNDED'],
    [
      'another refund shows',
      answer('query', 'success', { orderStatus: 'PARTIAL_REFUNDED', refundRequestNo: 'OTHER', flowStatus: 'SUCCESS' }),
      undefined,
      calm,
      'REFUND_AGAIN',
    ],
    [
      'this refund still in progress',
      answer('query', 'in_progress', { orderStatus: 'REFUND_INPROGRESS', refundRequestNo: NO, flowStatus: 'IN_PROG' }),
      undefined,
      doubtful,
      'REFUND_AGAIN',
    ],
    [
      'this refund failed (REFUND_ERROR flow)',
      answer('query', 'success', { orderStatus: 'PAID', refundRequestNo: NO, flowStatus: 'REFUND_ERROR' }),
      undefined,
      calm,
      'REFUND_AGAIN',
    ],
    [
      'a refusal while an attempt is in doubt',
      answer('query', 'success', { orderStatus: 'PAID' }),
      'REFUNDABLE_AMOUNT_NOT_ENOUGH',
      doubtful,
      'REFUND_AGAIN',
    ],
    [
      'a refusal once the doubt is over, refund not shown',
      answer('query', 'success', { orderStatus: 'PAID' }),
      'REFUNDABLE_AMOUNT_NOT_ENOUGH',
      doubtOver,
      'ESCALATE',
    ],
    ['no answer', answer('query', 'unknown'), undefined, doubtful, 'REFUND_AGAIN'],
  ])('check query: %s → %s', (_name, check, refusal, doubt, next) => {
    expect(afterRefundCheck(check, NO, refusal, doubt).next).toBe(next);
  });

  it('counts a refund as shown only with our number, flow SUCCESS, on a refunded order', () => {
    expect(showsOurRefund(ours, NO)).toBe(true);
    expect(showsOurRefund(ours, 'OTHER')).toBe(false);
    expect(showsOurRefund({ ...ours, kind: 'unknown' }, NO)).toBe(false);
    expect(
      showsOurRefund(
        answer('query', 'success', { orderStatus: 'PAID', refundRequestNo: NO, flowStatus: 'SUCCESS' }),
        NO,
      ),
    ).toBe(false);
  });
});

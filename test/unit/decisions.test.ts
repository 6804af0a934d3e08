import {
  afterCancelQuery,
  anotherOrder,
  type CancelContext,
  afterConfirmQuery,
  afterPay,
  afterRevokeQuery,
  beforeRevoke,
  refusalOf,
  disagreesAtClose,
} from '../../workflows/decisions';
import type { GatewayCallResult, OutcomeKind, PaymentState } from '../../workflows/types';

function call(
  operation: GatewayCallResult['operation'],
  kind: OutcomeKind,
  more: Partial<GatewayCallResult> = {},
): GatewayCallResult {
  return { operation, kind, reason: 'test', ...more };
}
const query = (orderStatus: string, kind: OutcomeKind = 'success') =>
  call('query', kind, { order: { sn: '1', clientSn: 'c', orderStatus } });
const notFound = call('query', 'definite_failure', { errorCode: 'UPAY_ORDER_NOT_EXISTS' });
const notFoundEn = call('query', 'definite_failure', { errorCode: 'UPAY_ORDER_NOT_EXIST' });
const unknownQuery = call('query', 'unknown');

describe('afterPay', () => {
  it.each([
    ['success', 'PAID'],
    ['definite_failure', 'FAILED'],
    ['in_progress', 'CONFIRM'],
    ['unknown', 'CONFIRM'],
  ] as const)('%s → %s', (kind, next) => expect(afterPay(call('pay', kind))).toBe(next));
});

describe('afterConfirmQuery', () => {
  it.each([
    ['PAID', query('PAID'), 'PAID'],
    ['PAY_CANCELED', query('PAY_CANCELED'), 'FAILED'],
    ['CANCELED', query('CANCELED'), 'CANCELED'],
    ['not found', notFound, 'NO_ORDER'],
    ['not found (EN spelling)', notFoundEn, 'NO_ORDER'],
    ['CREATED', query('CREATED', 'in_progress'), 'QUERY_AGAIN'],
    ['PAY_ERROR', query('PAY_ERROR', 'unknown'), 'QUERY_AGAIN'],
    ['transport error', unknownQuery, 'QUERY_AGAIN'],
    ['REFUNDED', query('REFUNDED'), 'ESCALATE'],
    ['PARTIAL_REFUNDED', query('PARTIAL_REFUNDED'), 'ESCALATE'],
  ])('%s → %s', (_label, q, next) => expect(afterConfirmQuery(q).next).toBe(next));
});

describe('afterCancelQuery', () => {
  const legacy = { rules: 'legacy', reversalStarted: false } as const;
  const rules = { rules: 'money-rules', reversalStarted: false } as const;
  it.each([
    ['CANCELED', query('CANCELED'), rules, 'CANCELED'],
    ['PAY_CANCELED', query('PAY_CANCELED'), rules, 'CANCELED'],
    ['not found, no pay of ours can still arrive', notFound, rules, 'FAILED'],
    [
      'not found while a pay of ours may still arrive (R5)',
      notFound,
      { ...rules, payMayStillArrive: true },
      'CANCEL_AGAIN',
    ],
    ['PAID: cancel again, never PAID from compensation (R2)', query('PAID'), rules, 'CANCEL_AGAIN'],
    [
      'PAID after a refusal, nothing in doubt',
      query('PAID'),
      { ...rules, refusal: 'UPAY_TCP_ORDER_NOT_REFUNDABLE' },
      'ESCALATE',
    ],
    [
      'PAID after a refusal while an earlier cancel is in doubt (R3)',
      query('PAID'),
      { ...rules, refusal: 'UPAY_CANCEL_INVALID_ORDER_STATE', reversalInDoubt: true },
      'CANCEL_AGAIN',
    ],
    ['CANCELED after a refusal', query('CANCELED'), { ...rules, refusal: 'X' }, 'CANCELED'],
    ['CREATED', query('CREATED', 'in_progress'), rules, 'CANCEL_AGAIN'],
    ['CANCEL_INPROGRESS', query('CANCEL_INPROGRESS', 'in_progress'), rules, 'CANCEL_AGAIN'],
    ['unknown', unknownQuery, rules, 'CANCEL_AGAIN'],
    ['unknown after a refusal', unknownQuery, { ...rules, refusal: 'X' }, 'ESCALATE'],
    ['REFUNDED', query('REFUNDED'), rules, 'ESCALATE'],
    ['legacy: PAID before any reversal (landed late)', query('PAID'), legacy, 'PAID'],
    ['legacy: PAID while a reversal is underway', query('PAID'), { ...legacy, reversalStarted: true }, 'CANCEL_AGAIN'],
    ['legacy: not found', notFound, legacy, 'FAILED'],
  ] as [string, GatewayCallResult, CancelContext, string][])('%s → %s', (_label, q, ctx, next) =>
    expect(afterCancelQuery(q, ctx).next).toBe(next),
  );
});

describe('refusalOf (cancel and revoke)', () => {
  it('names the error code of a definite refusal', () => {
    expect(refusalOf(call('cancel', 'definite_failure', { errorCode: 'UPAY_TCP_ORDER_NOT_REFUNDABLE' }))).toBe(
      'UPAY_TCP_ORDER_NOT_REFUNDABLE',
    );
  });
  it('is no refusal when the order does not exist, or the answer was not definite', () => {
    expect(refusalOf(call('cancel', 'definite_failure', { errorCode: 'UPAY_ORDER_NOT_EXISTS' }))).toBeUndefined();
    expect(refusalOf(call('cancel', 'unknown', { errorCode: 'UPAY_CANCEL_ORDER_NOOP' }))).toBeUndefined();
    expect(refusalOf(call('cancel', 'in_progress'))).toBeUndefined();
  });
});

describe('afterRevokeQuery', () => {
  it.each([
    ['CANCELED', query('CANCELED'), undefined, 'REVOKED'],
    ['PAID, no refusal', query('PAID'), undefined, 'REVOKE_AGAIN'],
    ['PAID after a refusal', query('PAID'), 'UPAY_TCP_ORDER_NOT_REFUNDABLE', 'REFUSED'],
    ['CANCEL_INPROGRESS', query('CANCEL_INPROGRESS', 'in_progress'), undefined, 'REVOKE_AGAIN'],
    ['unknown', unknownQuery, undefined, 'REVOKE_AGAIN'],
    ['unknown after a refusal', unknownQuery, 'X', 'REFUSED'],
    ['PARTIAL_REFUNDED', query('PARTIAL_REFUNDED'), 'UPAY_CANCEL_INVALID_ORDER_STATE', 'ESCALATE'],
    ['REFUNDED', query('REFUNDED'), undefined, 'ESCALATE'],
    ['not found', notFound, undefined, 'ESCALATE'],
  ])('%s → %s', (_label, q, refusal, next) => expect(afterRevokeQuery(q, refusal, false).next).toBe(next));

  it('does not trust a refusal, nor PAID, while an earlier attempt is in doubt (R3)', () => {
    expect(afterRevokeQuery(unknownQuery, 'UPAY_TCP_ORDER_NOT_REFUNDABLE', true).next).toBe('REVOKE_AGAIN');
    expect(afterRevokeQuery(query('PAID'), 'UPAY_TCP_ORDER_NOT_REFUNDABLE', true).next).toBe('REVOKE_AGAIN');
    expect(afterRevokeQuery(query('CANCELED'), 'UPAY_TCP_ORDER_NOT_REFUNDABLE', true).next).toBe('REVOKED');
  });

  it('no final status after a refusal: no proof once an earlier attempt was ever in doubt, even one that can no longer land (R3, fuzz seed 1898)', () => {
    expect(afterRevokeQuery(unknownQuery, 'UPAY_TCP_ORDER_NOT_REFUNDABLE', false, 'money-rules', true).next).toBe(
      'REVOKE_AGAIN',
    );
    expect(afterRevokeQuery(query('PAID'), 'UPAY_TCP_ORDER_NOT_REFUNDABLE', false, 'money-rules', true).next).toBe(
      'REFUSED',
    );
  });

  it('legacy: trusted PAID after an earlier lost answer, but not a refusal alone (fuzz seed 1898)', () => {
    expect(afterRevokeQuery(unknownQuery, 'UPAY_TCP_ORDER_NOT_REFUNDABLE', true, 'legacy').next).toBe('REVOKE_AGAIN');
    expect(afterRevokeQuery(query('PAID'), 'UPAY_TCP_ORDER_NOT_REFUNDABLE', true, 'legacy').next).toBe('REFUSED');
  });
});

describe('beforeRevoke (the look before the first revoke)', () => {
  it.each([
    ['PAID', query('PAID'), 'SEND_REVOKE'],
    ['CANCEL_INPROGRESS', query('CANCEL_INPROGRESS', 'in_progress'), 'SEND_REVOKE'],
    ['unknown', unknownQuery, 'SEND_REVOKE'],
    ['CANCELED', query('CANCELED'), 'ALREADY_REVOKED'],
    ['REFUNDED', query('REFUNDED'), 'ESCALATE'],
    ['PARTIAL_REFUNDED', query('PARTIAL_REFUNDED'), 'ESCALATE'],
    ['not found', notFound, 'ESCALATE'],
  ])('%s → %s', (_label, q, next) => expect(beforeRevoke(q).next).toBe(next));
});

describe('disagreesAtClose (a late PAID or an operator resolution, checked before the workflow closes)', () => {
  it.each([
    ['PAID', query('PAID'), undefined],
    ['PAID', query('CREATED', 'in_progress'), 'CREATED'],
    ['PAID', unknownQuery, 'unknown'],
    ['PAID', query('PAY_CANCELED'), 'PAY_CANCELED'],
    ['FAILED', query('PAY_CANCELED'), undefined],
    ['FAILED', notFound, undefined],
    ['FAILED', query('CREATED', 'in_progress'), 'CREATED'],
    ['FAILED', unknownQuery, 'unknown'],
    ['FAILED', query('PAID'), 'PAID'],
    ['REVOKED', query('CANCELED'), undefined],
    ['REVOKED', query('PARTIAL_REFUNDED'), 'PARTIAL_REFUNDED'],
    ['CANCELED', query('REFUNDED'), undefined],
    ['REFUNDED', query('REFUNDED'), undefined],
    ['REFUNDED', query('PAID'), 'PAID'],
    ['PARTIAL_REFUNDED', query('PARTIAL_REFUNDED'), undefined],
    ['PARTIAL_REFUNDED', query('REFUNDED'), 'REFUNDED'],
    ['SETTLED_OUTSIDE', query('PAID'), undefined],
    ['SETTLED_OUTSIDE', unknownQuery, undefined],
    ['CANCELED', query('SOMETHING_NEW'), 'SOMETHING_NEW'],
  ] as [PaymentState, GatewayCallResult, string | undefined][])(
    '%s with the gateway at case %#',
    (state, q, complaint) => {
      const why = disagreesAtClose(state, q);
      if (complaint === undefined) expect(why).toBeUndefined();
      else expect(why).toContain(complaint);
    },
  );
});

describe('anotherOrder (R1: only our own order counts)', () => {
  const request = { terminalSn: 'T1', clientSn: 'C1', amountFen: 100, dynamicId: 'd', subject: 's', operator: 'o' };
  const answer = (order: Partial<NonNullable<GatewayCallResult['order']>>) =>
    call('query', 'success', { order: { sn: '9', clientSn: 'C1', orderStatus: 'PAID', ...order } });
  it('is none for our own order, or an answer naming no order', () => {
    expect(anotherOrder(request, answer({ terminalSn: 'T1', totalAmountFen: 100 }))).toBeUndefined();
    expect(anotherOrder(request, answer({}))).toBeUndefined();
    expect(anotherOrder(request, unknownQuery)).toBeUndefined();
  });
  it.each([
    ['another amount', { totalAmountFen: 200 }],
    ['another terminal', { terminalSn: 'T2' }],
    ['another client_sn', { clientSn: 'C2' }],
  ])('names both orders for %s', (_label, order) => {
    const why = anotherOrder(request, answer(order));
    expect(why).toContain('another order');
    expect(why).toContain('client_sn C1, terminal T1, ¥1.00');
  });
});

describe('disagreesAtClose with an answer about another order (R1)', () => {
  const other = query('PAID');
  it('after CLIENT_SN_CONFLICT agrees with a state that kept nothing: our order does not exist', () => {
    for (const state of ['FAILED', 'CANCELED', 'REVOKED'] as const)
      expect(disagreesAtClose(state, other, 'the query answer is about another order', true)).toBeUndefined();
    // Our pay was sent and may have created our order: an echo of another one proves nothing.
    expect(disagreesAtClose('FAILED', other, 'the query answer is about another order')).toContain('another order');
  });
  it('disagrees with PAID, saying whose order it saw', () =>
    expect(disagreesAtClose('PAID', other, 'the query answer is about another order')).toContain('another order'));
});

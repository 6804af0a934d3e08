import {
  afterRecheckQuery,
  cancellationEffect,
  confirmUnderCancellation,
  nextHoldStep,
  type ConfirmDecision,
} from '../../workflows/decisions';
import type { GatewayCallResult, PaymentState } from '../../workflows/types';

/** Issue 15's pure decisions: a Temporal cancellation request (R6) and an operator's recheck. */

const query = (orderStatus?: string, kind: GatewayCallResult['kind'] = 'success'): GatewayCallResult => ({
  operation: 'query',
  kind,
  reason: orderStatus ?? 'transport UND_ERR_HEADERS_TIMEOUT',
  ...(orderStatus ? { order: { sn: '789', clientSn: 'c1', orderStatus } } : {}),
});
const notFound: GatewayCallResult = {
  operation: 'query',
  kind: 'definite_failure',
  reason: 'FAIL UPAY_ORDER_NOT_EXISTS',
  errorCode: 'UPAY_ORDER_NOT_EXISTS',
};

describe('cancellationEffect (R6)', () => {
  it.each<[PaymentState, string, RegExp | undefined]>([
    ['PAYING', 'DO_NOT_TAKE', undefined],
    ['CONFIRMING', 'DO_NOT_TAKE', undefined],
    ['CANCELING', 'ALREADY_COMPENSATING', undefined],
    ['PAID', 'IGNORED', /use revoke/],
    ['REVOKING', 'IGNORED', /revoke is underway/],
    ['NEEDS_ATTENTION', 'IGNORED', /changes nothing; a person resolves it/],
    ['FAILED', 'IGNORED', /already ended FAILED/],
    ['CANCELED', 'IGNORED', /already ended CANCELED/],
    ['REVOKED', 'IGNORED', /already ended REVOKED/],
    ['SETTLED_OUTSIDE', 'IGNORED', /already ended SETTLED_OUTSIDE/],
  ])('%s → %s', (state, effect, why) => {
    const result = cancellationEffect(state);
    expect(result.effect).toBe(effect);
    if (why) expect(result.why).toMatch(why);
    else expect(result.why).toBeUndefined();
  });
});

describe('confirmUnderCancellation (R6, R1)', () => {
  it.each<[ConfirmDecision, boolean, string]>([
    [{ next: 'PAID' }, false, 'COMPENSATE'],
    [{ next: 'QUERY_AGAIN' }, false, 'COMPENSATE'],
    [{ next: 'QUERY_AGAIN' }, true, 'QUERY_AGAIN'], // R1: no order proved ours yet, nothing is cancelled
    [{ next: 'FAILED' }, false, 'FAILED'],
    [{ next: 'NO_ORDER' }, false, 'NO_ORDER'],
    [{ next: 'CANCELED' }, false, 'CANCELED'],
    [{ next: 'ESCALATE', reason: 'refunded' }, false, 'ESCALATE'],
  ])('%j (no order proved ours: %s) → %s', (decision, noOrderProvedOurs, next) => {
    expect(confirmUnderCancellation(decision, noOrderProvedOurs).next).toBe(next);
  });
});

describe('afterRecheckQuery', () => {
  it.each<[PaymentState, GatewayCallResult, string]>([
    ['PAID', query('PAID'), 'AGREES'],
    ['PAID', query('CANCELED'), 'ESCALATE'],
    ['PAID', notFound, 'ESCALATE'],
    ['PAID', query(undefined, 'unknown'), 'UNCLEAR'], // a network blip is no news
    ['FAILED', query('PAID'), 'ESCALATE'], // the customer was right: the money moved
    ['FAILED', notFound, 'AGREES'],
    ['CANCELED', query('PAY_CANCELED'), 'AGREES'],
    ['REVOKED', query('PAID'), 'ESCALATE'],
    ['NEEDS_ATTENTION', query('PAID'), 'RECORD'],
    ['SETTLED_OUTSIDE', query('PAID'), 'RECORD'],
  ])('%s, gateway %j → %s', (state, q, next) => {
    expect(afterRecheckQuery(state, q).next).toBe(next);
  });

  it('an answer about another order is a disagreement (R1)', () => {
    expect(afterRecheckQuery('PAID', query('PAID'), 'another order')).toEqual({
      next: 'ESCALATE',
      reason: 'another order',
    });
  });
});

describe('nextHoldStep with a recheck', () => {
  it.each<PaymentState>(['PAID', 'NEEDS_ATTENTION', 'FAILED', 'CANCELED'])(
    '%s: a pending recheck comes first',
    (state) => {
      expect(
        nextHoldStep({
          state,
          revokePending: true,
          revokeWindowOpen: true,
          closeCheckNeeded: true,
          recheckPending: true,
        }),
      ).toBe('RECHECK');
    },
  );

  it('without one, the order of business is unchanged', () => {
    expect(nextHoldStep({ state: 'PAID', revokePending: false, revokeWindowOpen: true, closeCheckNeeded: false })).toBe(
      'WAIT',
    );
  });
});

import { currentDetails } from '../../workflows/details';
import { resolveRequestOf } from '../../client/cli-args';
import {
  afterRecheckQuery,
  beforeRevoke,
  disagreesAtClose,
  expectedWithRefunds,
  nextHoldStep,
  type HoldView,
} from '../../workflows/decisions';
import { PAYMENT_KNOWS_REFUNDS, refundNoticeRejection } from '../../workflows/payment-refunds';
import { SagaState } from '../../workflows/saga-state';
import { resolveTiming } from '../../workflows/timing';
import { describeProblems, validateResolveRequest } from '../../workflows/validation';
import type { GatewayCallResult, OutcomeKind, PaymentRequest } from '../../workflows/types';
import { decodedPayloads, loadCorpus } from '../helpers/history-corpus';

/** Issue #16 part 3, "the payment knows": the pure decisions and the record of refunds told. */

const query = (orderStatus: string, netAmountFen?: number, kind: OutcomeKind = 'success'): GatewayCallResult => ({
  operation: 'query',
  kind,
  reason: 'test',
  order: {
    sn: '1',
    clientSn: 'c',
    orderStatus,
    totalAmountFen: 1000,
    ...(netAmountFen !== undefined ? { netAmountFen } : {}),
  },
});
const told = (refundedFen: number, list = 'R1') => ({ refundedFen, amountFen: 1000, told: list });

describe('expectedWithRefunds', () => {
  it.each([
    [0, 'PAID', 1000],
    [300, 'PARTIAL_REFUNDED', 700],
    [1000, 'REFUNDED', 0],
  ] as const)('refunded %d of 1000 → %s, net %d', (refundedFen, orderStatus, netAmountFen) =>
    expect(expectedWithRefunds({ refundedFen, amountFen: 1000 })).toEqual({ orderStatus, netAmountFen }),
  );
});

describe('disagreesAtClose with the refunds a PAID payment was told of', () => {
  it('agrees when the gateway shows exactly the refunds told (status and net_amount)', () => {
    expect(disagreesAtClose('PAID', query('PARTIAL_REFUNDED', 700), undefined, false, told(300))).toBeUndefined();
    expect(disagreesAtClose('PAID', query('REFUNDED', 0), undefined, false, told(1000))).toBeUndefined();
    expect(disagreesAtClose('PAID', query('PARTIAL_REFUNDED'), undefined, false, told(300))).toBeUndefined(); // no net_amount given
  });

  it('R7: a refund the payment was not told of is a disagreement, with both facts', () => {
    expect(disagreesAtClose('PAID', query('PARTIAL_REFUNDED', 500), undefined, false, told(300))).toMatch(
      /PARTIAL_REFUNDED \(net ¥5\.00\).*PAID with ¥3\.00 refunded.*net ¥7\.00 expected; refunds told: R1/,
    );
    expect(disagreesAtClose('PAID', query('REFUNDED', 0), undefined, false, told(300))).toMatch(/REFUNDED/);
    expect(disagreesAtClose('PAID', query('PAID', 1000), undefined, false, told(300))).toMatch(
      /is PAID \(net ¥10\.00\)/,
    );
  });

  it('without refunds told, PAID still needs PAID; refunds told that all failed expect PAID too', () => {
    expect(disagreesAtClose('PAID', query('PARTIAL_REFUNDED', 700))).toBe(
      'order is PARTIAL_REFUNDED at the gateway at close, but the payment is PAID',
    );
    expect(disagreesAtClose('PAID', query('PAID'), undefined, false, told(0, 'R1 ¥3.00 REFUSED'))).toBeUndefined();
    expect(
      disagreesAtClose('PAID', query('PARTIAL_REFUNDED', 700), undefined, false, told(0, 'R1 ¥3.00 REFUSED')),
    ).toMatch(/refunds told: R1 ¥3\.00 REFUSED/);
  });

  it('an answer about another order counts for nothing, refunds or not (R1)', () => {
    expect(disagreesAtClose('PAID', query('PARTIAL_REFUNDED', 700), 'another order', false, told(300))).toBe(
      'another order',
    );
  });
});

describe('beforeRevoke: the look shows a refund', () => {
  it.each(['REFUNDED', 'PARTIAL_REFUNDED'])('%s: refused unsent once the payment knows its refunds', (status) => {
    let asked = 0;
    const knows = () => (asked += 1) > 0;
    expect(beforeRevoke(query(status), knows)).toEqual({ next: 'REFUNDED', orderStatus: status });
    expect(asked).toBe(1);
    expect(beforeRevoke(query(status)).next).toBe('ESCALATE'); // before the patch: a person
  });

  it('asks whether the payment knows its refunds only when the look shows one', () => {
    const knows = jest.fn(() => true);
    expect(beforeRevoke(query('PAID'), knows).next).toBe('SEND_REVOKE');
    expect(beforeRevoke(query('CANCELED'), knows).next).toBe('ALREADY_REVOKED');
    expect(knows).not.toHaveBeenCalled();
  });
});

describe('nextHoldStep with refunds', () => {
  const view = (more: Partial<HoldView>): HoldView => ({
    state: 'PAID',
    revokePending: false,
    revokeWindowOpen: true,
    closeCheckNeeded: false,
    ...more,
  });

  it('a revoke after a refund told of is refused before anything is sent, window open or not', () => {
    expect(nextHoldStep(view({ revokePending: true, revokeBlockedByRefund: true }))).toBe('REFUSE_REVOKE');
    expect(nextHoldStep(view({ revokePending: true, revokeBlockedByRefund: true, revokeWindowOpen: false }))).toBe(
      'REFUSE_REVOKE',
    );
    expect(nextHoldStep(view({ revokePending: true }))).toBe('REVOKE');
  });

  it('a recheck still comes first', () => {
    expect(nextHoldStep(view({ revokePending: true, revokeBlockedByRefund: true, recheckPending: true }))).toBe(
      'RECHECK',
    );
  });

  it('at close, a refund in flight is waited for before the check; only on PAID', () => {
    const closing = { revokeWindowOpen: false, closeCheckNeeded: true, refundsToAwait: true };
    expect(nextHoldStep(view(closing))).toBe('AWAIT_REFUNDS');
    expect(nextHoldStep(view({ ...closing, refundsToAwait: false }))).toBe('CHECK_AT_CLOSE');
    expect(nextHoldStep(view({ ...closing, state: 'PARTIAL_REFUNDED' }))).toBe('CHECK_AT_CLOSE');
    expect(nextHoldStep(view({ ...closing, revokeWindowOpen: true }))).toBe('WAIT');
  });
});

describe('afterRecheckQuery with a refund in flight', () => {
  it('records the answer: the check at close judges the books once the refund concludes', () => {
    const inFlight = { ...told(0), inFlight: true };
    expect(afterRecheckQuery('PAID', query('PARTIAL_REFUNDED', 700), undefined, false, inFlight)).toEqual({
      next: 'RECORD',
    });
    expect(
      afterRecheckQuery('PAID', query('PARTIAL_REFUNDED', 700), undefined, false, { ...told(300), inFlight: false }),
    ).toEqual({
      next: 'AGREES',
    });
  });
});

describe('refundNoticeRejection (the refundRecorded signal)', () => {
  it('accepts what a refund workflow sends', () => {
    expect(
      refundNoticeRejection({ refundRequestNo: 'R1', amountFen: 300, state: 'REFUNDING' }, 'PAID', false),
    ).toBeUndefined();
  });
  it('names each bad field, and refuses once the payment is closing', () => {
    expect(refundNoticeRejection('x', 'PAID', false)).toMatch(/JSON object/);
    expect(refundNoticeRejection({ refundRequestNo: '', amountFen: 0, state: 'LOOKING' }, 'PAID', false)).toBe(
      'refundRequestNo: 1 to 20 characters; amountFen: a positive integer; state: one of REFUNDING, NEEDS_ATTENTION, REFUNDED, REFUSED, NOT_REFUNDED, SETTLED_OUTSIDE',
    );
    expect(refundNoticeRejection({ refundRequestNo: 'R1', amountFen: 1, state: 'REFUNDED' }, 'PAID', true)).toMatch(
      /closed as PAID/,
    );
  });
});

describe('SagaState keeps the refunds told', () => {
  const REQUEST: PaymentRequest = {
    terminalSn: '100000000000000001',
    clientSn: 'c-1',
    amountFen: 1000,
    dynamicId: '130818341921441147',
    subject: 's',
    operator: 'o',
  };
  const saga = () => {
    const s = new SagaState(REQUEST, resolveTiming(undefined, 0), 0, 'money-rules', () => undefined);
    s.status.state = 'PAID';
    return s;
  };

  it('one record per refund_request_no, as last told; a check at close becomes due', () => {
    const s = saga();
    expect(s.closeCheckNeeded).toBe(false);
    s.recordRefund({ refundRequestNo: 'R1', amountFen: 300, state: 'REFUNDING' });
    expect(s.closeCheckNeeded).toBe(true);
    expect(s.refundsInFlight).toHaveLength(1);
    expect(s.revokeBlockedBy?.refundRequestNo).toBe('R1');
    s.recordRefund({ refundRequestNo: 'R1', amountFen: 300, state: 'REFUNDED' });
    s.recordRefund({ refundRequestNo: 'R2', amountFen: 900, state: 'REFUSED' });
    expect(s.status.refunds?.map((r) => [r.refundRequestNo, r.state])).toEqual([
      ['R1', 'REFUNDED'],
      ['R2', 'REFUSED'],
    ]);
    expect(s.refundsTold).toEqual({
      refundedFen: 300,
      amountFen: 1000,
      told: 'R1 ¥3.00 REFUNDED, R2 ¥9.00 REFUSED',
      inFlight: false,
    });
    expect(s.refundsToAwait).toBe(false);
  });

  it('a refund that moved nothing (REFUSED, NOT_REFUNDED) forbids no revoke', () => {
    const s = saga();
    s.recordRefund({ refundRequestNo: 'R1', amountFen: 300, state: 'REFUSED' });
    s.recordRefund({ refundRequestNo: 'R2', amountFen: 300, state: 'NOT_REFUNDED' });
    expect(s.revokeBlockedBy).toBeUndefined();
    s.recordRefund({ refundRequestNo: 'R3', amountFen: 300, state: 'NEEDS_ATTENTION' });
    expect(s.revokeBlockedBy?.refundRequestNo).toBe('R3');
    expect(s.refundsToAwait).toBe(true);
    s.refundWaitEnded();
    expect(s.refundsToAwait).toBe(false);
  });
});

describe('the corpus paths of issue #16 part 3 carry the patch marker', () => {
  const corpus = loadCorpus();
  const markers = (name: string) => {
    const file = corpus.find((f) => f.name === name);
    expect(file).toBeDefined();
    return file!.history.events
      .filter((e) => (e as { eventType?: string }).eventType === 'EVENT_TYPE_MARKER_RECORDED')
      .flatMap((e) => decodedPayloads(e).map((text) => (JSON.parse(text) as { id?: string }).id ?? ''));
  };
  it.each([
    'refund-recorded-close-agrees.json',
    'revoke-after-refund-refused.json',
    'revoke-look-sees-refund.json',
    'refund-tells-open-payment.json',
    'resolved-kept-refund-given-back.json',
  ])('%s', (name) => expect(markers(name)).toContain(PAYMENT_KNOWS_REFUNDS));

  it('the refund paths recorded before it tell nobody (no marker): they replay the unpatched branch', () =>
    expect(markers('refund-full.json')).not.toContain(PAYMENT_KNOWS_REFUNDS));
});

describe('resolve "money kept, give it back" (validateResolveRequest)', () => {
  const resolve = { operator: 'ops-lead', resolution: 'PAID', note: 'give it back' };
  it('a PAID resolution may carry the refund to start', () =>
    expect(validateResolveRequest({ ...resolve, refund: { refundRequestNo: 'R1', amountFen: 100 } })).toEqual([]));
  it('names each problem', () => {
    expect(
      describeProblems(
        validateResolveRequest({
          ...resolve,
          resolution: 'REFUNDED',
          refund: { refundRequestNo: 'R 1', amountFen: 0, x: 1 },
        }),
      ),
    ).toBe(
      'refund.x is not a known field; refund.refundRequestNo must be printable ASCII without spaces; refund.amountFen must be positive; refund only with resolution PAID (the money was kept: give it back)',
    );
    expect(describeProblems(validateResolveRequest({ ...resolve, refund: 'R1' }))).toMatch(
      /^refund must be a JSON object/,
    );
    expect(
      describeProblems(
        validateResolveRequest({
          ...resolve,
          operator: 'o'.repeat(40),
          refund: { refundRequestNo: 'R1', amountFen: 1 },
        }),
      ),
    ).toMatch(/operator must be at most 32 characters with a refund/);
  });
});

describe('the CLI: resolve --refund-no R --amount FEN', () => {
  it('carries the refund to start; without them, none', () => {
    const v = { operator: 'ops-lead', resolution: 'PAID', note: 'give it back' };
    expect(resolveRequestOf({ ...v, 'refund-no': 'R1', amount: '1234' })).toEqual({
      ...v,
      refund: { refundRequestNo: 'R1', amountFen: 1234 },
    });
    expect(resolveRequestOf(v)).toEqual(v);
    expect(describeProblems(validateResolveRequest(resolveRequestOf({ ...v, amount: 'x' })))).toMatch(
      /refund.refundRequestNo is required; refund.amountFen must be an integer/,
    );
  });
});

describe('the current details name the refunds told', () => {
  it('lists them, says no revoke after a refund, and what the operator may do', () => {
    const s = new SagaState(
      {
        terminalSn: '100000000000000001',
        clientSn: 'c-1',
        amountFen: 1000,
        dynamicId: '130818341921441147',
        subject: 's',
        operator: 'o',
      },
      resolveTiming(undefined, 0),
      0,
      'money-rules',
      () => undefined,
    );
    s.status.state = 'PAID';
    s.recordRefund({ refundRequestNo: 'R1', amountFen: 300, state: 'REFUNDED' });
    const text = currentDetails(s.status, 1_000, { closeCheckDue: true });
    expect(text).toContain(
      'Refunds told by their workflows: R1 ¥3.00 REFUNDED (no revoke after a refund; the gateway must show them at close)',
    );
    expect(text).toContain('Operator: refund (a refund workflow per refund_request_no): no revoke after a refund');
  });
});

import {
  answerMeaning,
  callSummary,
  currentDetails,
  nextCall,
  paymentSummary,
  shanghaiClock,
  yuan,
} from '../../workflows/details';
import { resolveTiming } from '../../workflows/timing';
import type {
  CallStep,
  GatewayCallRecord,
  GatewayCallResult,
  GatewayOperation,
  PaymentState,
  PaymentStatus,
  RecheckRecord,
} from '../../workflows/types';

/** 10:00:00 in Shanghai (02:00 UTC); the business day ends at 24:00 Shanghai. */
const START = Date.UTC(2026, 11, 3, 2, 0, 0);
const S = 1000;
const BARCODE = '130818341921441147';

function call(
  step: CallStep,
  attempt: number,
  at: number,
  result: Partial<GatewayCallResult> & Pick<GatewayCallResult, 'operation' | 'kind'>,
): GatewayCallRecord {
  return { reason: 'test', ...result, at, step, attempt };
}
const paidQuery = (step: CallStep, n: number, at: number) =>
  call(step, n, at, { operation: 'query', kind: 'success', reason: 'SUCCESS', order: order('PAID') });
const order = (orderStatus: string) => ({ sn: '7895000000001', clientSn: 'demo-1', orderStatus });

function status(state: PaymentState, more: Partial<PaymentStatus> = {}): PaymentStatus {
  return {
    state,
    terminalSn: '100000000000000001',
    clientSn: 'demo-1',
    amountFen: 1234,
    subject: 'coffee',
    startedAt: START,
    timing: resolveTiming(undefined, START),
    calls: [],
    ignored: [],
    ...more,
  };
}

describe('yuan, shanghaiClock, paymentSummary', () => {
  it.each([
    [1234, '¥12.34'],
    [1, '¥0.01'],
    [100, '¥1.00'],
    [9_999_999_999, '¥99999999.99'],
  ])('%d fen → %s', (fen, text) => expect(yuan(fen)).toBe(text));

  it.each([
    [START, true, '10:00:00'],
    [START + 59 * 60 * S + 59 * S + 999, true, '10:59:59'],
    [Date.UTC(2026, 11, 3, 15, 59, 0), false, '23:59'],
    [Date.UTC(2026, 11, 3, 16, 0, 0), false, '00:00'],
  ])('%d → %s', (ms, seconds, text) => expect(shanghaiClock(ms, seconds)).toBe(text));

  it('names amount, subject, terminal and client_sn in one line', () => {
    expect(paymentSummary(status('PAYING'))).toBe('¥12.34 · coffee · terminal 100000000000000001 · client_sn demo-1');
  });
});

describe('callSummary: the activity summary of each call step', () => {
  it.each([
    ['pay', 1, 'pay'],
    ['confirm-query', 4, 'confirm query 4'],
    ['cancel', 3, 'cancel #3 of the schedule'],
    ['cancel-check-query', 3, 'cancel check query 3'],
    ['revoke-look-query', 1, 'revoke look'],
    ['revoke', 2, 'revoke #2 of the schedule'],
    ['revoke-check-query', 2, 'revoke check query 2'],
    ['close-check-query', 1, 'close check'],
    ['recheck-query', 2, 'recheck query 2'],
  ] as const)('%s %d → %s', (step, n, text) => expect(callSummary(step, n)).toBe(text));
});

describe('nextCall: the step of the call about to be made, as the phases number them', () => {
  const pay = call('pay', 1, START, { operation: 'pay', kind: 'in_progress' });
  const q = (step: CallStep, n: number) => paidQuery(step, n, START);
  const c = (n: number) => call('cancel', n, START, { operation: 'cancel', kind: 'unknown' });
  const r = (n: number) => call('revoke', n, START, { operation: 'revoke', kind: 'unknown' });
  it.each<[string, PaymentState, GatewayCallRecord[], GatewayOperation, CallStep, number]>([
    ['pay', 'PAYING', [], 'pay', 'pay', 1],
    ['the first confirm query', 'CONFIRMING', [pay], 'query', 'confirm-query', 1],
    [
      'confirm query 4',
      'CONFIRMING',
      [pay, q('confirm-query', 1), q('confirm-query', 2), q('confirm-query', 3)],
      'query',
      'confirm-query',
      4,
    ],
    ['cancel 1', 'CANCELING', [pay, q('confirm-query', 1)], 'cancel', 'cancel', 1],
    ['the check of cancel 1', 'CANCELING', [pay, q('confirm-query', 1), c(1)], 'query', 'cancel-check-query', 1],
    [
      'cancel 3',
      'CANCELING',
      [c(1), q('cancel-check-query', 1), c(2), q('cancel-check-query', 2)],
      'cancel',
      'cancel',
      3,
    ],
    [
      'a check query after the schedule continues the numbering',
      'CANCELING',
      [c(1), q('cancel-check-query', 1), c(2), q('cancel-check-query', 2)],
      'query',
      'cancel-check-query',
      3,
    ],
    ['the look before the revoke', 'REVOKING', [pay], 'query', 'revoke-look-query', 1],
    ['revoke 1', 'REVOKING', [pay, q('revoke-look-query', 1)], 'revoke', 'revoke', 1],
    [
      'the check of revoke 2',
      'REVOKING',
      [pay, q('revoke-look-query', 1), r(1), q('revoke-check-query', 1), r(2)],
      'query',
      'revoke-check-query',
      2,
    ],
    ['the check at close of a PAID payment', 'PAID', [pay, q('confirm-query', 1)], 'query', 'close-check-query', 1],
    ['the check at close of a resolution', 'FAILED', [pay], 'query', 'close-check-query', 1],
  ])('%s', (_, state, calls, operation, step, attempt) =>
    expect(nextCall({ state, calls }, operation)).toEqual({ step, attempt }),
  );

  const waiting: RecheckRecord = { operator: 'ops', via: 'signal', requestedAt: START, stateAtRequest: 'PAID' };
  const answered: RecheckRecord = { ...waiting, answeredAt: START + S, gateway: 'PAID', effect: 'agrees' };
  it.each<[string, PaymentState, GatewayCallRecord[], RecheckRecord[], CallStep, number]>([
    [
      'a recheck while confirming is the next query',
      'CONFIRMING',
      [pay, q('confirm-query', 1)],
      [waiting],
      'recheck-query',
      1,
    ],
    [
      'a second recheck after the outcome',
      'PAID',
      [pay, q('recheck-query', 1)],
      [answered, waiting],
      'recheck-query',
      2,
    ],
    ["a cancel's own check comes before a recheck", 'CANCELING', [pay, c(1)], [waiting], 'cancel-check-query', 1],
    [
      'a recheck while canceling, between cancels',
      'CANCELING',
      [c(1), q('cancel-check-query', 1)],
      [waiting],
      'recheck-query',
      1,
    ],
    ['a recheck waits while revoking', 'REVOKING', [pay], [waiting], 'revoke-look-query', 1],
    [
      'a recheck answered is no longer waiting',
      'PAID',
      [pay, q('recheck-query', 1)],
      [answered],
      'close-check-query',
      1,
    ],
  ])('%s', (_, state, calls, rechecks, step, attempt) =>
    expect(nextCall({ state, calls, rechecks }, 'query')).toEqual({ step, attempt }),
  );
});

describe('answerMeaning: what the last gateway answer meant', () => {
  it.each<[string, Partial<GatewayCallResult> & Pick<GatewayCallResult, 'operation' | 'kind'>, string]>([
    ['pay success', { operation: 'pay', kind: 'success', reason: 'PAY_SUCCESS' }, 'paid (PAY_SUCCESS)'],
    [
      'pay refused',
      { operation: 'pay', kind: 'definite_failure', reason: 'PAY_FAIL', errorCode: 'INSUFFICIENT_FUND' },
      'definitely not paid (INSUFFICIENT_FUND)',
    ],
    [
      'pay in progress',
      { operation: 'pay', kind: 'in_progress', reason: 'PAY_IN_PROGRESS' },
      'in progress (PAY_IN_PROGRESS)',
    ],
    [
      'pay timed out',
      { operation: 'pay', kind: 'unknown', reason: 'transport UND_ERR_HEADERS_TIMEOUT' },
      'no definite answer (transport UND_ERR_HEADERS_TIMEOUT)',
    ],
    [
      'query PAID',
      { operation: 'query', kind: 'success', reason: 'SUCCESS', order: order('PAID') },
      'order PAID (SUCCESS)',
    ],
    [
      'query CREATED',
      { operation: 'query', kind: 'in_progress', reason: 'SUCCESS', order: order('CREATED') },
      'in progress, order CREATED (SUCCESS)',
    ],
    [
      'no such order',
      { operation: 'query', kind: 'definite_failure', reason: 'FAIL', errorCode: 'UPAY_ORDER_NOT_EXISTS' },
      'no such order (UPAY_ORDER_NOT_EXISTS)',
    ],
    ['cancel success', { operation: 'cancel', kind: 'success', reason: 'CANCEL_SUCCESS' }, 'reversed (CANCEL_SUCCESS)'],
    [
      'cancel refused',
      { operation: 'cancel', kind: 'definite_failure', reason: 'FAIL', errorCode: 'UPAY_TCP_ORDER_NOT_REFUNDABLE' },
      'refused (UPAY_TCP_ORDER_NOT_REFUNDABLE)',
    ],
    ['revoke success', { operation: 'revoke', kind: 'success', reason: 'CANCEL_SUCCESS' }, 'revoked (CANCEL_SUCCESS)'],
  ])('%s', (_, result, text) => expect(answerMeaning(call('pay', 1, START, result))).toBe(text));
});

describe('currentDetails: state, last answer, what happens next and when, what an operator may do', () => {
  const t = resolveTiming(undefined, START);
  const payUnknown = call('pay', 1, START + 2 * S, {
    operation: 'pay',
    kind: 'unknown',
    reason: 'transport UND_ERR_HEADERS_TIMEOUT',
  });
  const confirm1 = call('confirm-query', 1, START + 7 * S, {
    operation: 'query',
    kind: 'in_progress',
    reason: 'SUCCESS',
    order: order('CREATED'),
  });
  const cancel2 = call('cancel', 2, START + 60 * S, { operation: 'cancel', kind: 'unknown', reason: 'HTTP 500' });
  const escalation = { reason: 'cancel refused: UPAY_TCP_ORDER_NOT_REFUNDABLE', at: START + 90 * S };
  const revoke = { operator: 'ops-wang', reason: 'returned', via: 'signal' as const, requestedAt: START + 60 * S };

  it.each<[string, PaymentStatus, number, string[]]>([
    [
      'PAYING, before any answer',
      status('PAYING'),
      START,
      [
        '**PAYING** · ¥12.34 · coffee · terminal 100000000000000001 · client_sn demo-1',
        'Last gateway answer: none yet',
        'Next: waiting for the answer to pay; without a definite one, confirm queries follow',
        'Operator: wait, or revoke until 24:00 (Asia/Shanghai): remembered, carried out only if the payment ends PAID',
      ],
    ],
    [
      'CONFIRMING after pay timed out',
      status('CONFIRMING', { calls: [payUnknown] }),
      START + 2 * S,
      [
        'Last gateway answer: pay at 10:00:02: no definite answer (transport UND_ERR_HEADERS_TIMEOUT)',
        'Next: confirm query 1 at about 10:00:07; queries stop about 10:00:45, then cancel (冲正) if still unconfirmed',
      ],
    ],
    [
      'CONFIRMING, query 1 in progress',
      status('CONFIRMING', { calls: [payUnknown, confirm1] }),
      START + 7 * S,
      [
        'Last gateway answer: confirm query 1 at 10:00:07: in progress, order CREATED (SUCCESS)',
        'Next: confirm query 2 at about 10:00:12',
      ],
    ],
    [
      'CONFIRMING, window over',
      status('CONFIRMING', { calls: [payUnknown, { ...confirm1, attempt: 8, at: START + 42 * S }] }),
      START + 42 * S,
      ['Next: confirm window over: cancel (冲正) next, unless the last query settled it'],
    ],
    [
      'CANCELING after cancel 2 without an answer',
      status('CANCELING', { calls: [payUnknown, cancel2] }),
      START + 60 * S,
      [
        'Last gateway answer: cancel #2 of the schedule at 10:01:00: no definite answer (HTTP 500)',
        'Next: cancel #3 at about 10:01:10; no cancel after 24:00 (Asia/Shanghai), then a person',
        'Operator: wait, or revoke until 24:00',
      ],
    ],
    [
      'PAID, revoke window open',
      status('PAID', { sn: '7895000000001', calls: [paidQuery('confirm-query', 1, START + 7 * S)] }),
      START + 7 * S,
      [
        '**PAID** · ¥12.34 · coffee · terminal 100000000000000001 · client_sn demo-1 · sn 7895000000001',
        'Last gateway answer: confirm query 1 at 10:00:07: order PAID (SUCCESS)',
        'Next: closes at 24:00 (Asia/Shanghai), when the revoke window ends',
        'Operator: revoke until 24:00 (Asia/Shanghai): More Actions → Send a Signal → `revoke` `{"operator":"…","reason":"…"}`',
      ],
    ],
    [
      'PAID, with a revoke window of ten minutes',
      status('PAID', { timing: resolveTiming({ revokeWindowAfterMs: 10 * 60 * S }, START) }),
      START,
      [
        'Next: closes at 10:10 (Asia/Shanghai), when the revoke window ends',
        'Operator: revoke until 10:10 (Asia/Shanghai)',
      ],
    ],
    [
      'PAID, revoke window closed',
      status('PAID'),
      t.revokeWindowEnd,
      ['Operator: nothing: the revoke window has closed'],
    ],
    [
      'PAID, revoke refused',
      status('PAID', { revoke: { ...revoke, status: 'REFUSED', detail: 'UPAY_CANCEL_INVALID_ORDER_STATE' } }),
      START + 70 * S,
      ['Operator: nothing: revoke REFUSED (UPAY_CANCEL_INVALID_ORDER_STATE), a revoke is allowed once'],
    ],
    [
      'PAID, revoke requested',
      status('PAID', { revoke: { ...revoke, status: 'PENDING' } }),
      START + 60 * S,
      ['Next: revoke requested: the revoke runs now', 'Operator: wait: the revoke of ops-wang runs now'],
    ],
    [
      'REVOKING, looking first',
      status('REVOKING', { revoke: { ...revoke, status: 'IN_PROGRESS' } }),
      START + 60 * S,
      ['Next: looking the order up, then revoke #1', 'Operator: wait: the revoke of ops-wang is running'],
    ],
    [
      'REVOKED',
      status('REVOKED', {
        revoke: { ...revoke, status: 'REVOKED' },
        calls: [call('revoke', 1, START + 61 * S, { operation: 'revoke', kind: 'success', reason: 'CANCEL_SUCCESS' })],
      }),
      START + 61 * S,
      [
        'Last gateway answer: revoke #1 of the schedule at 10:01:01: revoked (CANCEL_SUCCESS)',
        'Next: closes at 24:00 (Asia/Shanghai), when the revoke window ends\n',
        'Operator: nothing',
      ],
    ],
    [
      'NEEDS_ATTENTION',
      status('NEEDS_ATTENTION', { escalation }),
      START + 90 * S,
      [
        'Next: waits for a person: cancel refused: UPAY_TCP_ORDER_NOT_REFUNDABLE',
        'Operator: check the order with 收钱吧, then resolve with PAID, FAILED, CANCELED, REVOKED, REFUNDED, PARTIAL_REFUNDED or SETTLED_OUTSIDE (with a reference): More Actions → Send a Signal → `resolve` `{"operator":"…","resolution":"…","note":"…"}`',
      ],
    ],
    [
      'resolved SETTLED_OUTSIDE',
      status('SETTLED_OUTSIDE', {
        escalation,
        resolution: {
          operator: 'ops-lead',
          resolution: 'SETTLED_OUTSIDE',
          note: 'bank transfer',
          reference: 'T-7',
          resolvedAt: START + 99 * S,
        },
      }),
      START + 99 * S,
      ['Operator: nothing: resolved SETTLED_OUTSIDE by ops-lead'],
    ],
    [
      'closed',
      status('CANCELED', { settledAt: t.revokeWindowEnd }),
      t.revokeWindowEnd,
      ['Next: nothing: closed at 00:00:00', 'Operator: nothing: the payment is closed'],
    ],
    [
      'an ignored signal is shown',
      status('FAILED', {
        ignored: [{ at: START + 5 * S, name: 'revoke', why: 'payment is FAILED; only a PAID payment can be revoked' }],
      }),
      START + 5 * S,
      ['Ignored revoke at 10:00:05: payment is FAILED; only a PAID payment can be revoked'],
    ],
  ])('%s', (_, s, now, expected) => {
    const text = currentDetails(s, now, { barcode: BARCODE });
    for (const line of expected) expect(text).toContain(line);
  });

  it("shows an operator's last recheck: waiting, then what the gateway said and what the saga did", () => {
    const asked = {
      operator: 'ops-li',
      via: 'signal' as const,
      requestedAt: START + 30 * S,
      stateAtRequest: 'PAID' as const,
    };
    expect(currentDetails(status('PAID', { rechecks: [asked] }), START + 30 * S)).toContain(
      'Recheck by ops-li at 10:00:30: waiting for the next query',
    );
    const done = {
      ...asked,
      answeredAt: START + 31 * S,
      gateway: 'PAID',
      effect: 'the gateway agrees: the payment stays PAID',
    };
    expect(currentDetails(status('PAID', { rechecks: [done] }), START + 31 * S)).toContain(
      'Recheck by ops-li at 10:00:30: the gateway said PAID; the gateway agrees: the payment stays PAID',
    );
  });

  it('says when the gateway is asked once more before the close (a state reached late, in doubt or by a person)', () => {
    const s = status('FAILED', {
      calls: [
        call('confirm-query', 3, START + 20 * S, {
          operation: 'query',
          kind: 'definite_failure',
          reason: 'FAIL',
          errorCode: 'UPAY_ORDER_NOT_EXISTS',
        }),
      ],
    });
    expect(currentDetails(s, START + 20 * S, { closeCheckDue: true })).toContain(
      'Next: closes at 24:00 (Asia/Shanghai), when the revoke window ends, after one last query to the gateway',
    );
    expect(currentDetails(s, START + 20 * S)).not.toContain('one last query');
  });

  it('is one fact a paragraph, in this order: state, last answer, next, operator, the time zone', () => {
    const text = currentDetails(status('PAID'), START);
    expect(text.split('\n\n').map((l) => l.split(':')[0]!.split(' ')[0])).toEqual([
      '**PAID**',
      'Last',
      'Next',
      'Operator',
      '_Times',
    ]);
  });

  it("never carries the customer's barcode, wherever a text would bring it in", () => {
    const s = status('NEEDS_ATTENTION', { escalation: { reason: `answer names barcode ${BARCODE}`, at: START } });
    const text = currentDetails(s, START, { barcode: BARCODE });
    expect(text).not.toContain(BARCODE);
    expect(text).toContain('answer names barcode …');
  });

  it('is deterministic: the same status and clock give the same text', () => {
    const s = status('CONFIRMING', { calls: [payUnknown, confirm1] });
    expect(currentDetails(s, START + 7 * S)).toBe(currentDetails(structuredClone(s), START + 7 * S));
  });
});

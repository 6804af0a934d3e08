/**
 * Money rules R1 (../shared/spec/money-rules.md), "only our own order counts": an answer about an
 * order that differs from this payment's (client_sn, terminal_sn where the answer names one, amount
 * in fen) counts for nothing. The payment goes to NEEDS_ATTENTION at once with both orders' facts,
 * nothing is reversed, and the gateway's sn is never taken from it. After CLIENT_SN_CONFLICT (our pay
 * created nothing) only an order matching ours is adopted; none by the end of the confirm window →
 * NEEDS_ATTENTION without a cancel. One answer about another order per step: pay, confirm query,
 * cancel, the query after a cancel, the look before a revoke, revoke, the check at close, and the
 * queries that wait out a doubt (R3).
 */
import { outcomeUpdate, resolveSignal, revokeSignal } from '../../workflows/definitions';
import type { OrderSnapshot, PaymentStatus } from '../../workflows/types';
import {
  AMOUNT_FEN,
  HOUR,
  MINUTE,
  OTHER_AMOUNT,
  OTHER_CLIENT_SN,
  OTHER_TERMINAL,
  PRODUCTION_CANCEL_DELAYS,
  PRODUCTION_CONFIRM,
  REVOKE,
  SECOND,
  TERMINAL_SN,
  clientSnConflict,
  expectAround,
  expectCalls,
  noAnswer,
  numbered,
  order,
  orderNotFound,
  payInProgress,
  paySuccess,
  refused,
  resolution,
  reversed,
  snOf,
  steps,
  useSagaEnvironment,
  type Answer,
  type OrderFacts,
  type Operation,
  type Payment,
  type Script,
} from './harness';

const saga = useSagaEnvironment();

const W = 2 * HOUR;
const TIMING = {
  ...PRODUCTION_CONFIRM,
  cancelDelaysMs: PRODUCTION_CANCEL_DELAYS,
  cancelDeadlineAfterMs: W,
  revokeWindowAfterMs: W,
};

const CONFIRM: Operation[] = Array.from({ length: 8 }, () => 'query');
const UNCONFIRMED: Operation[] = ['pay', ...CONFIRM];
const confirmAnswers = (): Answer[] => Array.from({ length: 8 }, () => order('CREATED'));

const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;

/** The escalation reason for an answer about another order: both orders' facts, nothing reversed. */
function aboutAnotherOrder(
  payment: Payment,
  operation: string,
  facts: OrderFacts,
  orderStatus: OrderSnapshot['orderStatus'],
): string {
  const other = { sn: snOf(payment.clientSn), clientSn: payment.clientSn, totalAmountFen: AMOUNT_FEN, ...facts };
  return (
    `the ${operation} answer is about another order (sn ${other.sn}, client_sn ${other.clientSn}, ` +
    `terminal ${other.terminalSn ?? '?'}, ${yuan(other.totalAmountFen)}, ${orderStatus}) than this payment ` +
    `(client_sn ${payment.clientSn}, terminal ${TERMINAL_SN}, ${yuan(AMOUNT_FEN)}); nothing is reversed`
  );
}

/** Moves virtual time on, then waits for the payment to go to a person. */
async function escalatedBy(payment: Payment, msAfterStart: number): Promise<PaymentStatus> {
  await payment.advanceTo(msAfterStart);
  return payment.waitForState('NEEDS_ATTENTION');
}

/** A payment whose confirm window ends unconfirmed at 40 s, with these cancel and query answers after it. */
function compensation(cancel: Answer[], checks: Answer[]): Script {
  return { pay: [noAnswer()], query: [...confirmAnswers(), ...checks], cancel };
}

describe('R1 in the pay answer', () => {
  it('PAY_SUCCESS for another amount: NEEDS_ATTENTION at once with both orders, never PAID, nothing queried or reversed, its sn not taken', async () => {
    const payment = await saga.start({ pay: [paySuccess(OTHER_AMOUNT)] }, { timing: TIMING });
    const status = await payment.waitForState('NEEDS_ATTENTION');
    expect(await payment.handle.executeUpdate(outcomeUpdate)).toMatchObject({ state: 'NEEDS_ATTENTION' });
    expectCalls(payment, status, ['pay']);
    expect(steps(status)).toEqual(['pay 1']);
    expect(status.escalation!.reason).toBe(aboutAnotherOrder(payment, 'pay', OTHER_AMOUNT, 'PAID'));
    expect(status.escalation!.reason).toContain('¥99.90');
    expect(status.sn).toBeUndefined();
  });

  it('PAY_IN_PROGRESS for another client_sn: NEEDS_ATTENTION at once, no confirm query', async () => {
    const payment = await saga.start({ pay: [payInProgress(OTHER_CLIENT_SN)] }, { timing: TIMING });
    const status = await escalatedBy(payment, 10 * SECOND);
    expectCalls(payment, status, ['pay']);
    expect(status.escalation!.reason).toBe(aboutAnotherOrder(payment, 'pay', OTHER_CLIENT_SN, 'CREATED'));
    expect(status.sn).toBeUndefined();
  });
});

describe('R1 in a confirm query', () => {
  it.each([
    { differs: 'client_sn', facts: OTHER_CLIENT_SN },
    { differs: 'terminal_sn', facts: OTHER_TERMINAL },
    { differs: 'amount', facts: OTHER_AMOUNT },
  ])(
    'PAID, but another $differs: NEEDS_ATTENTION right after that query, never PAID, nothing cancelled',
    async ({ facts }) => {
      const payment = await saga.start(
        { pay: [noAnswer()], query: [order('CREATED'), order('PAID', facts)] },
        { timing: TIMING },
      );
      const status = await escalatedBy(payment, 11 * SECOND);
      expectCalls(payment, status, ['pay', 'query', 'query']);
      expect(steps(status)).toEqual(['pay 1', 'confirm-query 1', 'confirm-query 2']);
      expect(status.escalation!.reason).toBe(aboutAnotherOrder(payment, 'query', facts, 'PAID'));
      expectAround(status.escalation!.at - status.startedAt, 10 * SECOND);
    },
  );
});

describe('R1 while compensating', () => {
  it('a cancel answered CANCEL_SUCCESS for another amount: NEEDS_ATTENTION, not CANCELED, nothing more sent', async () => {
    const payment = await saga.start(compensation([reversed(OTHER_AMOUNT)], []), { timing: TIMING });
    const status = await escalatedBy(payment, 45 * SECOND);
    expectCalls(payment, status, [...UNCONFIRMED, 'cancel']);
    expect(steps(status).at(-1)).toBe('cancel 1');
    expect(status.escalation!.reason).toBe(aboutAnotherOrder(payment, 'cancel', OTHER_AMOUNT, 'CANCELED'));
  });

  it("the query after a cancel shows another terminal's order PAID: NEEDS_ATTENTION, no further cancel", async () => {
    const payment = await saga.start(compensation([noAnswer()], [order('PAID', OTHER_TERMINAL)]), {
      timing: TIMING,
    });
    const status = await escalatedBy(payment, 50 * SECOND);
    expectCalls(payment, status, [...UNCONFIRMED, 'cancel', 'query']);
    expect(steps(status).slice(-2)).toEqual(['cancel 1', 'cancel-check-query 1']);
    expect(status.escalation!.reason).toBe(aboutAnotherOrder(payment, 'query', OTHER_TERMINAL, 'PAID'));
  });

  // The cancel deadline reached with a cancel in doubt is waited out by query (R3); each of those
  // queries is an answer like any other.
  it('a query that waits out a cancel in doubt shows another order CANCELED: NEEDS_ATTENTION, not CANCELED', async () => {
    const checks = [order('CREATED'), order('CREATED'), order('CREATED'), order('CANCELED', OTHER_CLIENT_SN)];
    const payment = await saga.start(compensation([noAnswer()], checks), {
      timing: { ...TIMING, cancelDeadlineAfterMs: MINUTE },
    });
    // Cancels at 40 s, 45 s, 55 s; the next (75 s) is past the deadline; the wait-out query at 60 s answers.
    await payment.advanceTo(65 * SECOND);
    const status = await payment.waitFor((s) => s.state !== 'CANCELING', 'the end of compensation');
    expect(steps(status).slice(-2)).toEqual(['cancel-check-query 3', 'cancel-check-query 4']);
    expect(status.state).toBe('NEEDS_ATTENTION');
    expect(status.escalation?.reason).toBe(aboutAnotherOrder(payment, 'query', OTHER_CLIENT_SN, 'CANCELED'));
  });
});

describe('R1 in a revoke', () => {
  async function paidThenRevoked(script: Omit<Script, 'pay'>): Promise<Payment> {
    const payment = await saga.start({ pay: [paySuccess()], ...script }, { timing: TIMING });
    await payment.waitForState('PAID');
    await payment.advanceTo(10 * MINUTE);
    await payment.handle.signal(revokeSignal, REVOKE);
    return payment;
  }

  it("the look before the revoke shows another client_sn's order: NEEDS_ATTENTION, revoke not sent", async () => {
    const payment = await paidThenRevoked({ query: [order('PAID', OTHER_CLIENT_SN)] });
    const status = await payment.waitForState('NEEDS_ATTENTION');
    expectCalls(payment, status, ['pay', 'query']);
    expect(steps(status)).toEqual(['pay 1', 'revoke-look-query 1']);
    expect(status.revoke!.status).toBe('NEEDS_ATTENTION');
    expect(status.escalation!.reason).toBe(
      `${aboutAnotherOrder(payment, 'query', OTHER_CLIENT_SN, 'PAID')}; revoke not sent`,
    );
  });

  it('the revoke answered CANCEL_SUCCESS for another amount: NEEDS_ATTENTION, not REVOKED', async () => {
    const payment = await paidThenRevoked({ query: [order('PAID')], revoke: [reversed(OTHER_AMOUNT)] });
    const status = await payment.waitForState('NEEDS_ATTENTION');
    expectCalls(payment, status, ['pay', 'query', 'revoke']);
    expect(status.revoke!.status).toBe('NEEDS_ATTENTION');
    expect(status.escalation!.reason).toBe(aboutAnotherOrder(payment, 'revoke', OTHER_AMOUNT, 'CANCELED'));
  });

  it('the query after a revoke shows another order CANCELED: NEEDS_ATTENTION, not REVOKED', async () => {
    const payment = await paidThenRevoked({
      query: [order('PAID'), order('CANCELED', OTHER_TERMINAL)],
      revoke: [noAnswer()],
    });
    const status = await payment.waitForState('NEEDS_ATTENTION');
    expect(steps(status)).toEqual(['pay 1', 'revoke-look-query 1', 'revoke 1', 'revoke-check-query 1']);
    expect(status.escalation!.reason).toBe(aboutAnotherOrder(payment, 'query', OTHER_TERMINAL, 'CANCELED'));
  });

  it.each([
    { shows: 'CANCELED', revokes: [noAnswer()], not: 'REVOKED' },
    { shows: 'PAID', revokes: [noAnswer(), refused()], not: 'REFUSED' },
  ])(
    'a query that waits out a revoke in doubt after the window shows another order $shows: NEEDS_ATTENTION, not $not',
    async ({ shows, revokes }) => {
      const payment = await saga.start(
        {
          pay: [paySuccess()],
          query: [order('PAID'), order('PAID'), order('PAID'), order('PAID'), order(shows, OTHER_AMOUNT)],
          revoke: revokes,
        },
        { timing: TIMING },
      );
      await payment.waitForState('PAID');
      await payment.advanceTo(W - 30 * SECOND);
      await payment.handle.signal(revokeSignal, REVOKE); // revokes at W-30 s, W-25 s, W-15 s; then waited out
      // The wait-out query at W-10 s answers about another order; past W+30 s nothing of ours is in doubt.
      await payment.advanceTo(W + 35 * SECOND);
      const status = await payment.waitFor((s) => s.state !== 'REVOKING', 'the end of the revoke');
      expect(steps(status).slice(-2)).toEqual(['revoke-check-query 3', 'revoke-check-query 4']);
      expect(status.state).toBe('NEEDS_ATTENTION');
      expect(status.revoke!.status).toBe('NEEDS_ATTENTION');
      expect(status.escalation?.reason).toBe(aboutAnotherOrder(payment, 'query', OTHER_AMOUNT, shows));
    },
  );
});

describe('R1 at the check at close', () => {
  it('a payment resolved PAID whose check at close answers about another amount goes back to a person', async () => {
    const payment = await saga.start(compensation([refused()], [order('PAID'), order('PAID', OTHER_AMOUNT)]), {
      timing: TIMING,
    });
    await escalatedBy(payment, 45 * SECOND);
    await payment.handle.signal(resolveSignal, resolution('PAID'));
    await payment.advanceTo(W + MINUTE);
    const status = await payment.waitFor(
      (s) => s.state === 'NEEDS_ATTENTION' && s.calls.length === 12,
      'NEEDS_ATTENTION again',
    );
    expect(steps(status).at(-1)).toBe('close-check-query 1');
    expect(status.escalation!.reason).toBe(aboutAnotherOrder(payment, 'query', OTHER_AMOUNT, 'PAID'));
    expectAround(status.escalation!.at - status.startedAt, W);
  });

  it('an R1 escalation resolved FAILED goes back to a person when the gateway still answers about the other order (our pay was sent: the echo proves nothing); SETTLED_OUTSIDE closes it', async () => {
    const payment = await saga.start(
      { pay: [noAnswer()], query: [order('CREATED'), order('PAID', OTHER_AMOUNT)] },
      { timing: TIMING },
    );
    await escalatedBy(payment, 11 * SECOND);
    await payment.handle.signal(resolveSignal, resolution('FAILED'));
    await payment.advanceTo(W + 5 * SECOND);
    const again = await payment.waitForState('NEEDS_ATTENTION');
    expect(again.resolution).toMatchObject({ resolution: 'FAILED', gatewayAtClose: { orderStatus: 'PAID' } });
    expect(again.escalation?.reason).toContain('another order');
    await payment.handle.signal(resolveSignal, { ...resolution('SETTLED_OUTSIDE'), reference: 'TICKET-1' });
    const status = await payment.result();
    expect(status.state).toBe('SETTLED_OUTSIDE');
    expect(steps(status)).toEqual([
      'pay 1',
      'confirm-query 1',
      'confirm-query 2',
      'close-check-query 1',
      'close-check-query 1',
    ]);
  });
});

describe('R1 after CLIENT_SN_CONFLICT (our pay created nothing)', () => {
  it('a matching order PAID is adopted: PAID, its sn taken', async () => {
    const payment = await saga.start({ pay: [clientSnConflict()], query: [order('PAID')] }, { timing: TIMING });
    const status = await payment.result();
    expectCalls(payment, status, ['pay', 'query']);
    expect(status.calls[0]).toMatchObject({ kind: 'unknown', errorCode: 'CLIENT_SN_CONFLICT' });
    expect(status.state).toBe('PAID');
    expect(status.sn).toBe(snOf(payment.clientSn));
  });

  it.each([
    { shows: 'PAID', answer: order('PAID', OTHER_AMOUNT) },
    { shows: 'CREATED (still in progress)', answer: order('CREATED', OTHER_AMOUNT) },
  ])(
    'the order under that client_sn has another amount, $shows: never PAID, nothing cancelled, a person is asked',
    async ({ answer }) => {
      const payment = await saga.start({ pay: [clientSnConflict()], query: [answer] }, { timing: TIMING });
      const status = await escalatedBy(payment, 6 * SECOND);
      expectCalls(payment, status, ['pay', 'query']);
      expect(status.escalation!.reason).toContain('the query answer is about another order');
      expect(status.escalation!.reason).toContain('¥99.90');
      expect(status.sn).toBeUndefined();
    },
  );

  it('no order proved ours by the end of the window (queries unanswered): NEEDS_ATTENTION at the last query, no cancel', async () => {
    const payment = await saga.start({ pay: [clientSnConflict()], query: [noAnswer()] }, { timing: TIMING });
    const status = await escalatedBy(payment, 45 * SECOND);
    expectCalls(payment, status, ['pay', ...CONFIRM]);
    expect(steps(status)).toEqual(['pay 1', ...numbered('confirm-query', 8)]);
    expect(status.escalation!.reason).toBe(
      'pay answered CLIENT_SN_CONFLICT and no order matching this payment was found; nothing was cancelled',
    );
    expectAround(status.escalation!.at - status.startedAt, 40 * SECOND);
  });

  it('a matching order still in progress at the end of the window is ours: cancelled', async () => {
    const payment = await saga.start(
      { pay: [clientSnConflict()], query: [noAnswer(), order('CREATED')], cancel: [reversed()] },
      { timing: TIMING },
    );
    const status = await payment.result();
    expectCalls(payment, status, [...UNCONFIRMED, 'cancel']);
    expect(status.state).toBe('CANCELED');
  });

  it('"order not found": our pay created nothing, so none of ours can arrive: FAILED at once, checked at close', async () => {
    const payment = await saga.start({ pay: [clientSnConflict()], query: [orderNotFound()] }, { timing: TIMING });
    const status = await payment.result();
    expect(steps(status)).toEqual(['pay 1', 'confirm-query 1', 'close-check-query 1']);
    expect(status.state).toBe('FAILED');
  });
});

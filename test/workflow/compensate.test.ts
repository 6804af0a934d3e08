/**
 * Compensate (冲正): the cancel right after the last confirm query, the query after every cancel
 * that did not succeed, the deterministic schedule (5 s doubling to a 5 min cap, the last value
 * repeating) and the cancel deadline (→ NEEDS_ATTENTION).
 */
import type { PaymentStatus } from '../../workflows/types';
import {
  HOUR,
  MINUTE,
  PRODUCTION_CANCEL_DELAYS,
  PRODUCTION_CONFIRM,
  SECOND,
  during,
  expectAround,
  expectCalls,
  noAnswer,
  order,
  orderNotFound,
  refused,
  reversalError,
  reversalNoop,
  reversed,
  reversing,
  useSagaEnvironment,
  type Answer,
  type Operation,
  type Payment,
  type Script,
} from './harness';

const saga = useSagaEnvironment();

const TIMING = {
  ...PRODUCTION_CONFIRM,
  cancelDelaysMs: PRODUCTION_CANCEL_DELAYS,
  cancelDeadlineAfterMs: 30 * MINUTE,
  revokeWindowAfterMs: 2 * HOUR,
};

/** The confirm phase always ends the same way here: pay unknown, 8 queries showing CREATED. */
const UNCONFIRMED: Operation[] = ['pay', ...Array.from({ length: 8 }, () => 'query' as const)];
const LAST_CONFIRM_QUERY_AT = 40 * SECOND;

/** Cancel answers in order, and the query answers that follow the cancels (after the 8 confirm queries). */
function compensation(cancel: Answer[], checks: Answer[] = [order('CREATED')]): Script {
  return { pay: [noAnswer()], query: [...Array.from({ length: 8 }, () => order('CREATED')), ...checks], cancel };
}

/** `attempts` × (cancel, query), the last attempt's query left out when `lastWithoutQuery`. */
function cancelAttempts(attempts: number, lastWithoutQuery = false): Operation[] {
  const ops: Operation[] = [];
  for (let i = 0; i < attempts; i++) ops.push('cancel', 'query');
  if (lastWithoutQuery) ops.pop();
  return ops;
}

/** When each cancel was scheduled, in ms after the workflow started. */
function cancelTimes(payment: Payment, status: PaymentStatus): number[] {
  const times = payment.scheduledTimes(status);
  return payment.log.flatMap((call, i) => (call.operation === 'cancel' ? [times[i]!] : []));
}

/** Where the cancel schedule puts attempt n (1-based) when the confirm phase ends at 40 s. */
function nominalCancelAt(n: number): number {
  let at = LAST_CONFIRM_QUERY_AT;
  for (let i = 2; i <= n; i++) at += PRODUCTION_CANCEL_DELAYS[Math.min(i - 2, PRODUCTION_CANCEL_DELAYS.length - 1)]!;
  return at;
}

it('a first cancel that succeeds ends the payment CANCELED at once (no query after it), CANCELING meanwhile', async () => {
  const seen: PaymentStatus['state'][] = [];
  const watched = during(async (ctx) => seen.push((await ctx.payment.status()).state), reversed());
  const payment = await saga.start(compensation([watched]), { timing: TIMING });
  const status = await payment.result();
  expectCalls(payment, status, [...UNCONFIRMED, ...cancelAttempts(1, true)]);
  expect(seen).toEqual(['CANCELING']);
  expect(status.state).toBe('CANCELED');
  expectAround(cancelTimes(payment, status)[0], LAST_CONFIRM_QUERY_AT);
});

it('a cancel in progress whose query shows CANCELED ends CANCELED after one attempt', async () => {
  const payment = await saga.start(compensation([reversing()], [order('CANCELED')]), { timing: TIMING });
  const status = await payment.result();
  expectCalls(payment, status, [...UNCONFIRMED, ...cancelAttempts(1)]);
  expect(status.state).toBe('CANCELED');
});

it('no definite answer: cancel and query again 5 s, 10 s, 20 s later, until a cancel succeeds', async () => {
  const payment = await saga.start(compensation([reversalError(), noAnswer(), reversalError(), reversed()]), {
    timing: TIMING,
  });
  const status = await payment.result();
  expectCalls(payment, status, [...UNCONFIRMED, ...cancelAttempts(4, true)]);
  cancelTimes(payment, status).forEach((at, i) => expectAround(at, nominalCancelAt(i + 1)));
  expect(status.state).toBe('CANCELED');
});

it('the schedule doubles to its 5 min cap and repeats it; at the cancel deadline (30 min) a person takes over', async () => {
  const payment = await saga.start(compensation([reversalError()]), { timing: TIMING });
  await payment.advanceTo(30 * MINUTE);
  const status = await payment.waitForState('NEEDS_ATTENTION');
  // 40 s, 45 s, 55 s, 75 s, 115 s, 195 s, 355 s, 655 s, 955 s, 1255 s, 1555 s; the next (1855 s) is past 30 min.
  expectCalls(payment, status, [...UNCONFIRMED, ...cancelAttempts(11)]);
  cancelTimes(payment, status).forEach((at, i) => expectAround(at, nominalCancelAt(i + 1)));
  expect(status.escalation!.reason).toBe('no definite cancel answer before the cancel deadline');
  // The payment escalates as soon as the next attempt would not start before the deadline, not at it.
  expectAround(status.escalation!.at - status.startedAt, nominalCancelAt(11));
  expect(status.timing.cancelDeadline - status.startedAt).toBe(30 * MINUTE);
});

describe('the cancel deadline edge (the next attempt is due 40 s after the 4th, at ~115 s)', () => {
  it('an attempt due 2 s before the deadline runs', async () => {
    const payment = await saga.start(
      compensation([reversalError(), reversalError(), reversalError(), noAnswer(), reversed()]),
      {
        timing: { ...TIMING, cancelDeadlineAfterMs: nominalCancelAt(5) + 2 * SECOND },
      },
    );
    const status = await payment.result();
    expectCalls(payment, status, [...UNCONFIRMED, ...cancelAttempts(5, true)]);
    expect(status.state).toBe('CANCELED');
  });

  it('an attempt due at the deadline does not: NEEDS_ATTENTION right after the 4th attempt', async () => {
    const payment = await saga.start(
      compensation([reversalError(), reversalError(), reversalError(), noAnswer(), reversed()]),
      {
        timing: { ...TIMING, cancelDeadlineAfterMs: nominalCancelAt(5) },
      },
    );
    await payment.advanceTo(nominalCancelAt(4) + 5 * SECOND);
    const status = await payment.waitForState('NEEDS_ATTENTION');
    expectCalls(payment, status, [...UNCONFIRMED, ...cancelAttempts(4)]);
    expect(status.escalation!.reason).toBe('no definite cancel answer before the cancel deadline');
  });
});

it('the first cancel always runs, even when the deadline passed during the confirm phase', async () => {
  const payment = await saga.start(compensation([reversalError()]), {
    timing: { ...TIMING, cancelDeadlineAfterMs: 20 * SECOND },
  });
  await payment.advanceTo(LAST_CONFIRM_QUERY_AT + 5 * SECOND);
  const status = await payment.waitForState('NEEDS_ATTENTION');
  expectCalls(payment, status, [...UNCONFIRMED, ...cancelAttempts(1)]);
  expect(status.escalation!.reason).toBe('no definite cancel answer before the cancel deadline');
});

describe('a definite refusal is checked by query, then goes to a person', () => {
  it.each(['UPAY_TCP_ORDER_NOT_REFUNDABLE', 'UPAY_CANCEL_INVALID_ORDER_STATE', 'UPAY_TERMINAL_STATUS_ABNORMAL'])(
    'cancel refused with %s, query PAID → NEEDS_ATTENTION, no second cancel',
    async (code) => {
      const payment = await saga.start(compensation([refused(code)], [order('PAID')]), { timing: TIMING });
      await payment.advanceTo(LAST_CONFIRM_QUERY_AT + 5 * SECOND);
      const status = await payment.waitForState('NEEDS_ATTENTION');
      expectCalls(payment, status, [...UNCONFIRMED, ...cancelAttempts(1)]);
      expect(status.escalation!.reason).toBe(`cancel refused by the gateway: ${code}`);
    },
  );

  it('a refusal whose query shows the order CANCELED is CANCELED (the query wins)', async () => {
    const payment = await saga.start(compensation([refused()], [order('CANCELED')]), { timing: TIMING });
    const status = await payment.result();
    expectCalls(payment, status, [...UNCONFIRMED, ...cancelAttempts(1)]);
    expect(status.state).toBe('CANCELED');
  });
});

describe('what the query after a cancel says', () => {
  it('order not found (the cancel says so too) → FAILED: the pay never created an order', async () => {
    const payment = await saga.start(compensation([orderNotFound()], [orderNotFound()]), { timing: TIMING });
    const status = await payment.result();
    expectCalls(payment, status, [...UNCONFIRMED, ...cancelAttempts(1)]);
    expect(status.state).toBe('FAILED');
  });

  it('PAY_CANCELED → CANCELED', async () => {
    const payment = await saga.start(compensation([noAnswer()], [order('PAY_CANCELED')]), { timing: TIMING });
    const status = await payment.result();
    expectCalls(payment, status, [...UNCONFIRMED, ...cancelAttempts(1)]);
    expect(status.state).toBe('CANCELED');
  });

  it('UPAY_CANCEL_ORDER_NOOP is no answer: query, then the next attempt 5 s later', async () => {
    const payment = await saga.start(compensation([reversalNoop(), reversed()]), { timing: TIMING });
    const status = await payment.result();
    expectCalls(payment, status, [...UNCONFIRMED, ...cancelAttempts(2, true)]);
    cancelTimes(payment, status).forEach((at, i) => expectAround(at, nominalCancelAt(i + 1)));
    expect(status.state).toBe('CANCELED');
  });

  it.each(['REFUNDED', 'PARTIAL_REFUNDED'])('%s → NEEDS_ATTENTION, no further cancel', async (orderStatus) => {
    const payment = await saga.start(compensation([noAnswer()], [order(orderStatus)]), { timing: TIMING });
    await payment.advanceTo(LAST_CONFIRM_QUERY_AT + 5 * SECOND);
    const status = await payment.waitForState('NEEDS_ATTENTION');
    expectCalls(payment, status, [...UNCONFIRMED, ...cancelAttempts(1)]);
    expect(status.escalation!.reason).toBe(`order ${orderStatus} at the gateway while cancelling`);
  });

  it('PAID while a reversal is underway (CANCEL_IN_PROGRESS) is not final: the next cancel follows 5 s later', async () => {
    const payment = await saga.start(compensation([reversing(), reversed()], [order('PAID')]), { timing: TIMING });
    const status = await payment.result();
    expectCalls(payment, status, [...UNCONFIRMED, ...cancelAttempts(2, true)]);
    cancelTimes(payment, status).forEach((at, i) => expectAround(at, nominalCancelAt(i + 1)));
    expect(status.state).toBe('CANCELED');
  });

  it('once any cancel answered in progress, a later PAID is still not final', async () => {
    const payment = await saga.start(
      compensation([reversing(), noAnswer(), reversed()], [order('CREATED'), order('PAID')]),
      {
        timing: TIMING,
      },
    );
    const status = await payment.result();
    expectCalls(payment, status, [...UNCONFIRMED, ...cancelAttempts(3, true)]);
    expect(status.state).toBe('CANCELED');
  });
});

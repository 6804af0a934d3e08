/**
 * Compensate (冲正): the cancel right after the last confirm query, the query after every cancel
 * that did not succeed, the deterministic schedule (5 s doubling to a 5 min cap, the last value
 * repeating) and the cancel deadline (→ NEEDS_ATTENTION). Under the money rules
 * (../shared/spec/money-rules.md): a PAID found while compensating is cancelled again (R2); a cancel
 * without a definite answer is in doubt for `requestDoubtMs` (60 s here): a refusal or PAID proves
 * nothing meanwhile, a deadline reached in doubt is waited out by query, and the doubt arms the check
 * at close (R3); "order not found" is FAILED only once no pay of ours can still arrive (R5).
 */
import { outcomeUpdate } from '../../workflows/definitions';
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
  numbered,
  order,
  orderNotFound,
  refused,
  reversalError,
  reversalNoop,
  reversed,
  reversing,
  stepTimes,
  steps,
  useSagaEnvironment,
  type Answer,
  type Operation,
  type Payment,
  type Script,
} from './harness';

const saga = useSagaEnvironment();

/** The revoke window closes, and a check at close runs, 2 h after the start. */
const W = 2 * HOUR;
const TIMING = {
  ...PRODUCTION_CONFIRM,
  cancelDelaysMs: PRODUCTION_CANCEL_DELAYS,
  cancelDeadlineAfterMs: 30 * MINUTE,
  revokeWindowAfterMs: W,
};
/** How long a request without a definite answer stays in doubt: the production default (R3, R5). */
const DOUBT = 60 * SECOND;

/** The confirm phase always ends the same way here: pay unknown, 8 queries showing CREATED. */
const UNCONFIRMED: Operation[] = ['pay', ...Array.from({ length: 8 }, () => 'query' as const)];
const UNCONFIRMED_STEPS = ['pay 1', ...numbered('confirm-query', 8)];
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

/** `n` queries: the waiting out of a doubt, or the check at close. */
const queries = (n: number): Operation[] => Array.from({ length: n }, () => 'query' as const);

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

/** Records the payment's state while the saga waits for this answer. */
const watchState = (seen: PaymentStatus['state'][], answer: Answer): Answer =>
  during(async (ctx) => seen.push((await ctx.payment.status()).state), answer);

it('a first cancel that succeeds ends the payment CANCELED at once (no query after it, nothing in doubt, no check at close), CANCELING meanwhile', async () => {
  const seen: PaymentStatus['state'][] = [];
  const payment = await saga.start(compensation([watchState(seen, reversed())]), { timing: TIMING });
  const status = await payment.result();
  expectCalls(payment, status, [...UNCONFIRMED, ...cancelAttempts(1, true)]);
  expect(steps(status)).toEqual([...UNCONFIRMED_STEPS, 'cancel 1']);
  expect(seen).toEqual(['CANCELING']);
  expect(status.state).toBe('CANCELED');
  expectAround(cancelTimes(payment, status)[0], LAST_CONFIRM_QUERY_AT);
});

it('a cancel in progress whose query shows CANCELED ends CANCELED after one attempt; R3: its doubt arms the check at close', async () => {
  const payment = await saga.start(compensation([reversing()], [order('CANCELED')]), { timing: TIMING });
  const status = await payment.result();
  expectCalls(payment, status, [...UNCONFIRMED, ...cancelAttempts(1), 'query']);
  expect(steps(status)).toEqual([...UNCONFIRMED_STEPS, 'cancel 1', 'cancel-check-query 1', 'close-check-query 1']);
  expect(status.state).toBe('CANCELED');
  expectAround(stepTimes(status, 'close-check-query')[0], W);
});

it('no definite answer: cancel and query again 5 s, 10 s, 20 s later, until a cancel succeeds; R3: checked at close', async () => {
  const checks = [order('CREATED'), order('CREATED'), order('CREATED'), order('CANCELED')];
  const payment = await saga.start(compensation([reversalError(), noAnswer(), reversalError(), reversed()], checks), {
    timing: TIMING,
  });
  const status = await payment.result();
  expectCalls(payment, status, [...UNCONFIRMED, ...cancelAttempts(4, true), 'query']);
  cancelTimes(payment, status).forEach((at, i) => expectAround(at, nominalCancelAt(i + 1)));
  expect(status.state).toBe('CANCELED');
  expect(steps(status).at(-1)).toBe('close-check-query 1');
});

it('the schedule doubles to its 5 min cap and repeats it; at the cancel deadline (30 min) R3: the last cancel, in doubt, is waited out by query, then a person takes over', async () => {
  const payment = await saga.start(compensation([reversalError()]), { timing: TIMING });
  await payment.advanceTo(30 * MINUTE);
  const status = await payment.waitForState('NEEDS_ATTENTION');
  // 40 s, 45 s, 55 s, 75 s, 115 s, 195 s, 355 s, 655 s, 955 s, 1255 s, 1555 s; the next (1855 s) is past 30 min.
  // The 11th cancel may still take effect until 60 s after it: a query every 5 s (the confirm interval) until then.
  expectCalls(payment, status, [...UNCONFIRMED, ...cancelAttempts(11), ...queries(12)]);
  cancelTimes(payment, status).forEach((at, i) => expectAround(at, nominalCancelAt(i + 1)));
  expect(steps(status).slice(-12)).toEqual(numbered('cancel-check-query', 12, 12));
  stepTimes(status, 'cancel-check-query')
    .slice(11)
    .forEach((at, i) => expectAround(at, nominalCancelAt(11) + (i + 1) * 5 * SECOND));
  expect(status.escalation!.reason).toBe('no definite cancel answer before the cancel deadline');
  // The payment escalates once the last cancel can no longer take effect, not at the deadline.
  expectAround(status.escalation!.at - status.startedAt, nominalCancelAt(11) + DOUBT);
  expect(status.timing.cancelDeadline - status.startedAt).toBe(30 * MINUTE);
  expect(status.timing.requestDoubtMs).toBe(DOUBT);
});

describe('the cancel deadline edge (the next attempt is due 40 s after the 4th, at ~115 s)', () => {
  it('an attempt due 2 s before the deadline runs', async () => {
    const checks = [order('CREATED'), order('CREATED'), order('CREATED'), order('CREATED'), order('CANCELED')];
    const payment = await saga.start(
      compensation([reversalError(), reversalError(), reversalError(), noAnswer(), reversed()], checks),
      {
        timing: { ...TIMING, cancelDeadlineAfterMs: nominalCancelAt(5) + 2 * SECOND },
      },
    );
    const status = await payment.result();
    expectCalls(payment, status, [...UNCONFIRMED, ...cancelAttempts(5, true), 'query']);
    expect(status.state).toBe('CANCELED');
    expect(steps(status).slice(-2)).toEqual(['cancel 5', 'close-check-query 1']);
  });

  it('an attempt due at the deadline does not run; R3: the 4th cancel, in doubt, is waited out by query (60 s), then NEEDS_ATTENTION', async () => {
    const payment = await saga.start(
      compensation([reversalError(), reversalError(), reversalError(), noAnswer(), reversed()]),
      {
        timing: { ...TIMING, cancelDeadlineAfterMs: nominalCancelAt(5) },
      },
    );
    await payment.advanceTo(nominalCancelAt(4) + DOUBT + 5 * SECOND);
    const status = await payment.waitForState('NEEDS_ATTENTION');
    expectCalls(payment, status, [...UNCONFIRMED, ...cancelAttempts(4), ...queries(12)]);
    expect(cancelTimes(payment, status)).toHaveLength(4);
    expect(status.escalation!.reason).toBe('no definite cancel answer before the cancel deadline');
    expectAround(status.escalation!.at - status.startedAt, nominalCancelAt(4) + DOUBT);
  });
});

it('the first cancel always runs, even when the deadline passed during the confirm phase; R3: then waited out', async () => {
  const payment = await saga.start(compensation([reversalError()]), {
    timing: { ...TIMING, cancelDeadlineAfterMs: 20 * SECOND },
  });
  await payment.advanceTo(LAST_CONFIRM_QUERY_AT + DOUBT + 5 * SECOND);
  const status = await payment.waitForState('NEEDS_ATTENTION');
  expectCalls(payment, status, [...UNCONFIRMED, ...cancelAttempts(1), ...queries(12)]);
  expect(status.escalation!.reason).toBe('no definite cancel answer before the cancel deadline');
  expectAround(status.escalation!.at - status.startedAt, LAST_CONFIRM_QUERY_AT + DOUBT);
});

describe('R3: the cancel deadline reached with a cancel in doubt is waited out by query', () => {
  it('a query showing the order reversed while waiting → CANCELED, checked at close', async () => {
    // Cancels at 40 s, 45 s, 55 s without an answer; the next (75 s) is past the 60 s deadline.
    const checks = [...Array.from({ length: 5 }, () => order('CREATED')), order('CANCELED')];
    const payment = await saga.start(compensation([noAnswer()], checks), {
      timing: { ...TIMING, cancelDeadlineAfterMs: MINUTE },
    });
    const status = await payment.result();
    expectCalls(payment, status, [...UNCONFIRMED, ...cancelAttempts(3), ...queries(3), 'query']);
    expect(steps(status).slice(UNCONFIRMED.length)).toEqual([
      'cancel 1',
      'cancel-check-query 1',
      'cancel 2',
      'cancel-check-query 2',
      'cancel 3',
      'cancel-check-query 3',
      'cancel-check-query 4',
      'cancel-check-query 5',
      'cancel-check-query 6',
      'close-check-query 1',
    ]);
    stepTimes(status, 'cancel-check-query')
      .slice(3)
      .forEach((at, i) => expectAround(at, nominalCancelAt(3) + (i + 1) * 5 * SECOND));
    expect(status.state).toBe('CANCELED');
    expect(status.escalation).toBeUndefined();
  });
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

  it('R3: a refusal while an earlier cancel is in doubt proves nothing: the next cancel goes out on the schedule', async () => {
    // 40 s: no answer (in doubt until 100 s); 45 s: refused, query PAID; 55 s: reversed.
    const checks = [order('CREATED'), order('PAID'), order('CANCELED')];
    const payment = await saga.start(compensation([noAnswer(), refused(), reversed()], checks), { timing: TIMING });
    const status = await payment.result();
    expectCalls(payment, status, [...UNCONFIRMED, ...cancelAttempts(3, true), 'query']);
    cancelTimes(payment, status).forEach((at, i) => expectAround(at, nominalCancelAt(i + 1)));
    expect(status.calls.find((call) => call.step === 'cancel' && call.attempt === 2)).toMatchObject({
      kind: 'definite_failure',
      errorCode: 'UPAY_CANCEL_INVALID_ORDER_STATE',
    });
    expect(status.state).toBe('CANCELED');
    expect(status.escalation).toBeUndefined();
  });

  it('R3: a refusal once every earlier cancel has outlived its doubt goes to a person', async () => {
    // Doubt 10 s: the 40 s cancel is in doubt until 50 s; refused at 45 s (again) and at 55 s (a person).
    const payment = await saga.start(compensation([noAnswer(), refused()], [order('CREATED'), order('PAID')]), {
      timing: { ...TIMING, requestDoubtMs: 10 * SECOND },
    });
    await payment.advanceTo(nominalCancelAt(3) + 5 * SECOND);
    const status = await payment.waitForState('NEEDS_ATTENTION');
    expectCalls(payment, status, [...UNCONFIRMED, ...cancelAttempts(3)]);
    expect(status.escalation!.reason).toBe('cancel refused by the gateway: UPAY_CANCEL_INVALID_ORDER_STATE');
    expectAround(status.escalation!.at - status.startedAt, nominalCancelAt(3));
  });
});

describe('what the query after a cancel says', () => {
  it('R5: order not found (the cancel says so too) while the pay may still arrive (60 s from its start) → the next cancel; after that → FAILED, checked at close', async () => {
    const payment = await saga.start(compensation([orderNotFound()], [orderNotFound()]), { timing: TIMING });
    const status = await payment.result();
    // Cancels at 40 s, 45 s, 55 s (the unanswered pay may still arrive), 75 s (it cannot): FAILED.
    expectCalls(payment, status, [...UNCONFIRMED, ...cancelAttempts(4), 'query']);
    cancelTimes(payment, status).forEach((at, i) => expectAround(at, nominalCancelAt(i + 1)));
    expect(nominalCancelAt(3)).toBeLessThan(DOUBT);
    expect(nominalCancelAt(4)).toBeGreaterThan(DOUBT);
    expect(status.state).toBe('FAILED');
    expect(status.escalation).toBeUndefined();
    expect(steps(status).at(-1)).toBe('close-check-query 1');
    expectAround(stepTimes(status, 'close-check-query')[0], W);
  });

  it('PAY_CANCELED → CANCELED; R3: the unanswered cancel arms the check at close', async () => {
    const payment = await saga.start(compensation([noAnswer()], [order('PAY_CANCELED')]), { timing: TIMING });
    const status = await payment.result();
    expectCalls(payment, status, [...UNCONFIRMED, ...cancelAttempts(1), 'query']);
    expect(status.state).toBe('CANCELED');
    expect(steps(status).at(-1)).toBe('close-check-query 1');
  });

  it('UPAY_CANCEL_ORDER_NOOP is no answer: query, then the next attempt 5 s later; R3: checked at close', async () => {
    const payment = await saga.start(
      compensation([reversalNoop(), reversed()], [order('CREATED'), order('CANCELED')]),
      { timing: TIMING },
    );
    const status = await payment.result();
    expectCalls(payment, status, [...UNCONFIRMED, ...cancelAttempts(2, true), 'query']);
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
});

describe('R2: compensation finishes what it starts (a PAID found while cancelling is cancelled again)', () => {
  it('PAID after a cancel without an answer (no reversal seen underway): the next cancel follows 5 s later → CANCELED, never PAID', async () => {
    const seen: PaymentStatus['state'][] = [];
    const payment = await saga.start(
      compensation([noAnswer(), watchState(seen, reversed())], [watchState(seen, order('PAID')), order('CANCELED')]),
      { timing: TIMING },
    );
    const outcome = payment.handle.executeUpdate(outcomeUpdate);
    const status = await payment.result();
    expectCalls(payment, status, [...UNCONFIRMED, ...cancelAttempts(2, true), 'query']);
    expect(steps(status).slice(UNCONFIRMED.length)).toEqual([
      'cancel 1',
      'cancel-check-query 1',
      'cancel 2',
      'close-check-query 1',
    ]);
    cancelTimes(payment, status).forEach((at, i) => expectAround(at, nominalCancelAt(i + 1)));
    expect(seen).toEqual(['CANCELING', 'CANCELING']);
    expect((await outcome).state).toBe('CANCELED');
    expect(status.state).toBe('CANCELED');
  });

  it('PAID after a cancel in progress (CANCEL_IN_PROGRESS): the next cancel follows 5 s later → CANCELED', async () => {
    const payment = await saga.start(compensation([reversing(), reversed()], [order('PAID'), order('CANCELED')]), {
      timing: TIMING,
    });
    const status = await payment.result();
    expectCalls(payment, status, [...UNCONFIRMED, ...cancelAttempts(2, true), 'query']);
    cancelTimes(payment, status).forEach((at, i) => expectAround(at, nominalCancelAt(i + 1)));
    expect(status.state).toBe('CANCELED');
  });

  it('PAID after a later cancel (in progress, then no answer) is cancelled again too', async () => {
    const payment = await saga.start(
      compensation([reversing(), noAnswer(), reversed()], [order('CREATED'), order('PAID'), order('CANCELED')]),
      { timing: TIMING },
    );
    const status = await payment.result();
    expectCalls(payment, status, [...UNCONFIRMED, ...cancelAttempts(3, true), 'query']);
    expect(status.state).toBe('CANCELED');
  });

  it('PAID after every cancel until the deadline: waited out (R3), then NEEDS_ATTENTION; the checkout is never told PAID', async () => {
    const seen: PaymentStatus['state'][] = [];
    const payment = await saga.start(compensation([noAnswer()], [watchState(seen, order('PAID'))]), {
      timing: { ...TIMING, cancelDeadlineAfterMs: MINUTE },
    });
    const outcome = payment.handle.executeUpdate(outcomeUpdate);
    // Cancels at 40 s, 45 s, 55 s; the last may take effect until 115 s: queries every 5 s until then.
    await payment.advanceTo(nominalCancelAt(3) + DOUBT + 5 * SECOND);
    const status = await payment.waitForState('NEEDS_ATTENTION');
    expectCalls(payment, status, [...UNCONFIRMED, ...cancelAttempts(3), ...queries(12)]);
    expect(seen).toHaveLength(15);
    expect(new Set(seen)).toEqual(new Set(['CANCELING']));
    expect(await outcome).toMatchObject({ state: 'NEEDS_ATTENTION' });
    expect(status.escalation!.reason).toBe('no definite cancel answer before the cancel deadline');
    expectAround(status.escalation!.at - status.startedAt, nominalCancelAt(3) + DOUBT);
  });
});

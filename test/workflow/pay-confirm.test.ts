/**
 * Pay and confirm: what the first answer decides, the confirm schedule (every 5 s, counted from the
 * start of pay, until 45 s), and its edges: the last query, and the cancel right after it. Under the
 * money rules (../shared/spec/money-rules.md, R5): pay carries its send deadline (`sendBy`), and
 * "order not found" counts only once no pay of ours can still arrive (the pay is in doubt for
 * `requestDoubtMs` after it was sent), then FAILED, checked at close.
 */
import { outcomeUpdate } from '../../workflows/definitions';
import type { PayInput } from '../../activities/payment-activities';
import type { PaymentStatus } from '../../workflows/types';
import {
  HOUR,
  MINUTE,
  PRODUCTION_CANCEL_DELAYS,
  PRODUCTION_CONFIRM,
  SECOND,
  activityCrash,
  during,
  expectAround,
  expectCalls,
  noAnswer,
  numbered,
  order,
  orderNotFound,
  payFail,
  payInProgress,
  payNotSent,
  paySuccess,
  recordedTimes,
  reversed,
  slow,
  stepTimes,
  steps,
  timedOut,
  unknownTerminal,
  useSagaEnvironment,
  type Operation,
} from './harness';

const saga = useSagaEnvironment();

/** Payments start at 21:58 Shanghai time (harness.ts): the revoke window closes at 23:58. */
const TIMING = {
  ...PRODUCTION_CONFIRM,
  cancelDelaysMs: PRODUCTION_CANCEL_DELAYS,
  cancelDeadlineAfterMs: 2 * HOUR,
  revokeWindowAfterMs: 2 * HOUR,
};

const queries = (n: number): Operation[] => Array.from({ length: n }, () => 'query' as const);

describe('pay', () => {
  it('PAY_SUCCESS is PAID at once: no query; the workflow holds until the revoke window closes', async () => {
    const payment = await saga.start({ pay: [paySuccess()] }, { timing: TIMING });
    const outcome = await payment.handle.executeUpdate(outcomeUpdate);
    expect(outcome).toMatchObject({ state: 'PAID', sn: expect.any(String) });
    expect(outcome.settledAt).toBeUndefined();

    const status = await payment.result();
    expectCalls(payment, status, ['pay']);
    expect(status).toMatchObject({ state: 'PAID', ignored: [] });
    expect(status.revoke).toBeUndefined();
    expect(status.escalation).toBeUndefined();
    expect(status.timing.revokeWindowEnd - status.startedAt).toBe(2 * HOUR);
    expectAround(status.settledAt! - status.startedAt, 2 * HOUR);
  });

  it('PAY_FAIL is FAILED: nothing else is sent, and the workflow still closes with the window', async () => {
    const payment = await saga.start({ pay: [payFail()] }, { timing: TIMING });
    const status = await payment.result();
    expectCalls(payment, status, ['pay']);
    expect(status.state).toBe('FAILED');
    expectAround(status.settledAt! - status.startedAt, 2 * HOUR);
  });

  it("R5: pay carries its send deadline (sendBy: the start + paySendDeadlineMs, 30 s by default) and not the saga's timing", async () => {
    const payment = await saga.start({ pay: [paySuccess()] }, { timing: TIMING });
    const status = await payment.result();
    const input = payment.log[0]!.input as PayInput & { timing?: unknown };
    expect(input.sendBy).toBe(status.startedAt + 30 * SECOND);
    expect(status.timing.paySendDeadline).toBe(input.sendBy);
    expect(input.timing).toBeUndefined();
    expect(input).toMatchObject({ clientSn: payment.clientSn, amountFen: payment.request.amountFen });
  });

  it('R5: a shorter send deadline (10 s) is what pay carries', async () => {
    const payment = await saga.start(
      { pay: [paySuccess()] },
      { timing: { ...TIMING, paySendDeadlineMs: 10 * SECOND } },
    );
    const status = await payment.result();
    expect((payment.log[0]!.input as PayInput).sendBy).toBe(status.startedAt + 10 * SECOND);
  });

  it('R5: a pay held back past its send deadline (never sent) is FAILED "not sent": nothing else is sent, no check at close', async () => {
    const payment = await saga.start({ pay: [payNotSent()] }, { timing: TIMING });
    const status = await payment.result();
    expectCalls(payment, status, ['pay']);
    expect(status.state).toBe('FAILED');
    expect(status.calls[0]!.reason).toMatch(/^not sent: the send deadline passed/);
  });

  it('a pay never sent (no key for the terminal) is FAILED, with the reason recorded', async () => {
    const payment = await saga.start({ pay: [unknownTerminal()] }, { timing: TIMING });
    const status = await payment.result();
    expectCalls(payment, status, ['pay']);
    expect(status.state).toBe('FAILED');
    expect(status.calls[0]).toMatchObject({ operation: 'pay', kind: 'definite_failure' });
    expect(status.calls[0]!.reason).toMatch(/^not sent: no key for terminal/);
  });

  it('a pay activity that fails tells nothing: confirmed by query (here PAID)', async () => {
    const payment = await saga.start({ pay: [activityCrash()], query: [order('PAID')] }, { timing: TIMING });
    const status = await payment.result();
    expectCalls(payment, status, ['pay', 'query']);
    expect(status.calls[0]).toMatchObject({ kind: 'unknown', reason: 'activity failed: worker lost its gateway pool' });
    expect(status.state).toBe('PAID');
  });

  it('a pay that times out (dead worker: heartbeat timeout) is confirmed; the window still counts from pay', async () => {
    const payment = await saga.start(
      { pay: [timedOut()], query: [order('CREATED')], cancel: [reversed()] },
      { timing: TIMING },
    );
    const status = await payment.result();
    expect(status.calls[0]).toMatchObject({ operation: 'pay', kind: 'unknown', reason: 'activity HEARTBEAT' });
    // The timeout lands after the (virtual) 15 s the call hung; the window still ends 45 s after pay
    // started, so there is room for fewer queries than after a quick answer.
    const times = recordedTimes(status);
    const queryTimes = times.slice(1, -1);
    expect(queryTimes.length).toBeLessThan(8);
    expect(queryTimes.at(-1)!).toBeLessThanOrEqual(45 * SECOND);
    expect(queryTimes.at(-1)! + 5 * SECOND).toBeGreaterThan(45 * SECOND);
    expectCalls(payment, status, ['pay', ...queries(queryTimes.length), 'cancel']);
    expect(status.state).toBe('CANCELED');
  });
});

describe('confirm schedule', () => {
  it('queries every 5 s after an in-progress pay, CONFIRMING meanwhile, until an answer is PAID', async () => {
    const seen: PaymentStatus['state'][] = [];
    const watch = during(async (ctx) => seen.push((await ctx.payment.status()).state), order('CREATED'));
    const payment = await saga.start(
      { pay: [payInProgress()], query: [watch, noAnswer(), order('PAID')] },
      { timing: TIMING },
    );
    const status = await payment.result();
    expectCalls(payment, status, ['pay', 'query', 'query', 'query']);
    expect(seen).toEqual(['CONFIRMING']);
    const [, q1, q2, q3] = payment.scheduledTimes(status);
    expectAround(q1, 5 * SECOND);
    expectAround(q2! - q1!, 5 * SECOND);
    expectAround(q3! - q2!, 5 * SECOND);
    expect(status.state).toBe('PAID');
    // Queries use the gateway's sn once pay has given it.
    expect(payment.log[1]!.input).toEqual({
      terminalSn: payment.request.terminalSn,
      clientSn: payment.clientSn,
      sn: status.sn,
    });
  });

  it('never settles: 8 queries (5 s … 40 s), the last one the last that fits in 45 s, then cancel right after it', async () => {
    const payment = await saga.start(
      { pay: [noAnswer()], query: [order('CREATED')], cancel: [reversed()] },
      { timing: TIMING },
    );
    const status = await payment.result();
    expectCalls(payment, status, ['pay', ...queries(8), 'cancel']);
    const times = payment.scheduledTimes(status);
    times.slice(1, 9).forEach((at, i) => expectAround(at, (i + 1) * 5 * SECOND));
    // No pause between the last query and the first cancel.
    expect(times[9]! - recordedTimes(status)[8]!).toBeLessThan(SECOND);
    expect(times[9]!).toBeLessThan(45 * SECOND);
    expect(status.state).toBe('CANCELED');
  });

  it('a window that is not a multiple of the interval: 12 s → queries at 5 s and 10 s, cancel at once', async () => {
    const payment = await saga.start(
      { pay: [noAnswer()], query: [order('CREATED')], cancel: [reversed()] },
      { timing: { ...TIMING, confirmWindowMs: 12 * SECOND } },
    );
    const status = await payment.result();
    expectCalls(payment, status, ['pay', 'query', 'query', 'cancel']);
    const [, q1, q2, cancel] = payment.scheduledTimes(status);
    expectAround(q1, 5 * SECOND);
    expectAround(q2, 10 * SECOND);
    expectAround(cancel, 10 * SECOND);
  });

  it('a window shorter than the interval still gets one query before the cancel', async () => {
    const payment = await saga.start(
      { pay: [noAnswer()], query: [order('CREATED')], cancel: [reversed()] },
      { timing: { ...TIMING, confirmIntervalMs: 5 * SECOND, confirmWindowMs: 3 * SECOND } },
    );
    const status = await payment.result();
    expectCalls(payment, status, ['pay', 'query', 'cancel']);
    expectAround(payment.scheduledTimes(status)[1], 5 * SECOND);
  });

  it('a longer interval and window are honoured (10 s over 60 s: 5 queries, the 6th would end past it)', async () => {
    const payment = await saga.start(
      { pay: [noAnswer()], query: [order('CREATED')], cancel: [reversed()] },
      { timing: { ...TIMING, confirmIntervalMs: 10 * SECOND, confirmWindowMs: MINUTE } },
    );
    const status = await payment.result();
    expectCalls(payment, status, ['pay', ...queries(5), 'cancel']);
    payment
      .scheduledTimes(status)
      .slice(1, 6)
      .forEach((at, i) => expectAround(at, (i + 1) * 10 * SECOND));
  });

  it.each([
    { answers: 'PAY_CANCELED', answer: order('PAY_CANCELED'), state: 'FAILED' },
    { answers: 'CANCELED', answer: order('CANCELED'), state: 'CANCELED' },
  ] as const)(
    'a confirm query answering $answers ends the payment $state, nothing to reverse',
    async ({ answer, state }) => {
      const payment = await saga.start({ pay: [noAnswer()], query: [order('CREATED'), answer] }, { timing: TIMING });
      const status = await payment.result();
      expectCalls(payment, status, ['pay', 'query', 'query']);
      expect(status.state).toBe(state);
      expect(status.escalation).toBeUndefined();
    },
  );

  it.each(['REFUNDED', 'PARTIAL_REFUNDED'])(
    'a confirm query answering %s needs a person: NEEDS_ATTENTION, nothing sent',
    async (orderStatus) => {
      const payment = await saga.start({ pay: [noAnswer()], query: [order(orderStatus)] }, { timing: TIMING });
      await payment.advanceTo(6 * SECOND);
      const status = await payment.waitForState('NEEDS_ATTENTION');
      expectCalls(payment, status, ['pay', 'query']);
      expect(status.escalation!.reason).toBe(
        `order ${orderStatus} at the gateway while its payment was being confirmed`,
      );
      await expect(payment.handle.executeUpdate(outcomeUpdate)).resolves.toMatchObject({ state: 'NEEDS_ATTENTION' });
    },
  );

  it('R5: "order not found" while the pay may still arrive (22 s here) is queried again; once it cannot → FAILED, checked at close', async () => {
    const payment = await saga.start(
      { pay: [noAnswer()], query: [order('CREATED'), orderNotFound()] },
      { timing: { ...TIMING, requestDoubtMs: 22 * SECOND } },
    );
    const status = await payment.result();
    // Not found at 10 s, 15 s, 20 s (the pay sent at 0 s may still arrive), and at 25 s (it cannot): FAILED.
    expectCalls(payment, status, ['pay', ...queries(5), 'query']);
    expect(steps(status)).toEqual(['pay 1', ...numbered('confirm-query', 5), 'close-check-query 1']);
    stepTimes(status, 'confirm-query').forEach((at, i) => expectAround(at, (i + 1) * 5 * SECOND));
    expect(status.state).toBe('FAILED');
    expect(status.escalation).toBeUndefined();
    expectAround(stepTimes(status, 'close-check-query')[0], 2 * HOUR);
  });

  it('R5: a pay answered late (6 s) is in doubt from its answer, not from its start: "not found" proves nothing until 6 + 22 s (patch pay-doubt-from-send)', async () => {
    const payment = await saga.start(
      { pay: [slow(6 * SECOND, noAnswer())], query: [orderNotFound()] },
      { timing: { ...TIMING, requestDoubtMs: 22 * SECOND } },
    );
    const status = await payment.result();
    // The pay may have left just before its answer at 6 s: not found at 10 … 25 s is no proof (counted
    // from the start the doubt would have ended at 22 s, before the query at 25 s); at 30 s it is: FAILED.
    expectCalls(payment, status, ['pay', ...queries(5), 'query']);
    stepTimes(status, 'confirm-query').forEach((at, i) => expectAround(at, (i + 2) * 5 * SECOND));
    expect(status.state).toBe('FAILED');
  });

  it('R5: a pay that cannot have left after its send deadline is in doubt from that deadline, even when answered later', async () => {
    const payment = await saga.start(
      { pay: [slow(9 * SECOND, noAnswer())], query: [orderNotFound()] },
      { timing: { ...TIMING, paySendDeadlineMs: 6 * SECOND, requestDoubtMs: 12 * SECOND } },
    );
    const status = await payment.result();
    // In doubt until 6 + 12 = 18 s (from the answer at 9 s it would be 21 s, from the start 12 s): not
    // found at 14 s is no proof, at 19 s it is: FAILED, and the check at close.
    expectCalls(payment, status, ['pay', ...queries(2), 'query']);
    expect(status.state).toBe('FAILED');
  });

  it('R5: with the default doubt (60 s) past the confirm window, "not found" until its end leads to compensation, not FAILED', async () => {
    const payment = await saga.start(
      { pay: [noAnswer()], query: [orderNotFound()], cancel: [reversed()] },
      { timing: TIMING },
    );
    const status = await payment.result();
    expectCalls(payment, status, ['pay', ...queries(8), 'cancel']);
    expect(status.timing.requestDoubtMs).toBe(60 * SECOND);
    expect(status.state).toBe('CANCELED');
  });

  it('R5: "not found" after a pay answered in progress is no proof either (the pay is in doubt)', async () => {
    const payment = await saga.start(
      { pay: [payInProgress()], query: [orderNotFound(), order('PAID')] },
      { timing: TIMING },
    );
    const status = await payment.result();
    expectCalls(payment, status, ['pay', 'query', 'query']);
    expect(status.state).toBe('PAID');
  });
});

/**
 * Revoke (手动撤单): the look before the first revoke, the revoke schedule and the revoke window's
 * boundaries, refusals (and why a refusal after a lost answer is no proof), and revokes asked for
 * before the payment's outcome was known. Under the money rules (../shared/spec/money-rules.md, R3):
 * a revoke without a definite answer is in doubt for `requestDoubtMs` (60 s here) after it was sent;
 * meanwhile neither a refusal nor a query showing PAID proves the money stayed, a window that closes
 * in doubt is waited out by query, and the doubt arms the check at close.
 */
import { WorkflowNotFoundError } from '@temporalio/client';
import { revokeSignal } from '../../workflows/definitions';
import type { PaymentStatus, RevokeRequest } from '../../workflows/types';
import {
  HOUR,
  MINUTE,
  PRODUCTION_CANCEL_DELAYS,
  PRODUCTION_CONFIRM,
  REVOKE,
  SECOND,
  during,
  expectAround,
  expectCalls,
  noAnswer,
  order,
  orderNotFound,
  paySuccess,
  refused,
  reversalError,
  reversed,
  reversing,
  numbered,
  revokeBySignal,
  revokeByUpdate,
  slow,
  stepTimes,
  steps,
  useSagaEnvironment,
  type Answer,
  type Operation,
  type Payment,
  type Script,
} from './harness';

const saga = useSagaEnvironment();

/** Payments start at 21:58 Shanghai time (harness.ts): revokes are accepted until 23:58, W after the start. */
const W = 2 * HOUR;
const TIMING = {
  ...PRODUCTION_CONFIRM,
  cancelDelaysMs: PRODUCTION_CANCEL_DELAYS,
  cancelDeadlineAfterMs: W,
  revokeWindowAfterMs: W,
};
/** How long a revoke without a definite answer stays in doubt: the production default (R3). */
const DOUBT = 60 * SECOND;

/** A payment that is PAID at once, with these answers for what follows. */
async function paid(script: Omit<Script, 'pay'>): Promise<Payment> {
  const payment = await saga.start({ pay: [paySuccess()], ...script }, { timing: TIMING });
  await payment.waitForState('PAID');
  return payment;
}

/** Sends the revoke signal `msAfterStart` after the payment started. */
async function revokeAt(payment: Payment, msAfterStart: number, request: RevokeRequest = REVOKE): Promise<void> {
  await payment.advanceTo(msAfterStart);
  await payment.handle.signal(revokeSignal, request);
}

const watchState = (seen: PaymentStatus['state'][], answer: Answer): Answer =>
  during(async (ctx) => seen.push((await ctx.payment.status()).state), answer);

/** `n` × (revoke, query). */
function revokeAttempts(n: number): Operation[] {
  return Array.from({ length: n }, () => ['revoke', 'query'] as Operation[]).flat();
}

/** `n` queries: a doubt waited out, or the check at close. */
const queries = (n: number): Operation[] => Array.from({ length: n }, () => 'query' as const);

function revokeTimes(payment: Payment, status: PaymentStatus): number[] {
  const times = payment.scheduledTimes(status);
  return payment.log.flatMap((call, i) => (call.operation === 'revoke' ? [times[i]!] : []));
}

describe('a revoke on a PAID payment', () => {
  it('by signal: look (PAID), revoke, REVOKED; REVOKING meanwhile; the workflow closes REVOKED with the window', async () => {
    const seen: PaymentStatus['state'][] = [];
    const payment = await paid({ query: [order('PAID')], revoke: [watchState(seen, reversed())] });
    await revokeAt(payment, 10 * MINUTE);
    const status = await payment.result();
    expectCalls(payment, status, ['pay', 'query', 'revoke']);
    expect(seen).toEqual(['REVOKING']);
    expect(status.state).toBe('REVOKED');
    expect(status.revoke).toMatchObject({ ...REVOKE, via: 'signal', status: 'REVOKED' });
    expect(status.revoke!.detail).toBeUndefined();
    expectAround(status.revoke!.requestedAt - status.startedAt, 10 * MINUTE);
    expectAround(revokeTimes(payment, status)[0], 10 * MINUTE);
    expectAround(status.settledAt! - status.startedAt, W);
    expect(status.escalation).toBeUndefined();
  });

  it('by update: the update answers with the result', async () => {
    const payment = await paid({ query: [order('PAID')], revoke: [reversed()] });
    await payment.advanceTo(10 * MINUTE);
    const update = await payment.startRevokeUpdate();
    const result = await update.result();
    expect(result).toMatchObject({ state: 'REVOKED', revoke: { ...REVOKE, via: 'update', status: 'REVOKED' } });
    const status = await payment.result();
    expectCalls(payment, status, ['pay', 'query', 'revoke']);
    expect(status.state).toBe('REVOKED');
  });

  it('a revoke in progress is checked by query: CANCEL_INPROGRESS → again 5 s later, then CANCELED → REVOKED; R3: the doubt arms the check at close', async () => {
    const payment = await paid({
      query: [order('PAID'), order('CANCEL_INPROGRESS'), order('CANCELED')],
      revoke: [reversing()],
    });
    await revokeAt(payment, 10 * MINUTE);
    const status = await payment.result();
    expectCalls(payment, status, ['pay', 'query', ...revokeAttempts(2), 'query']);
    expect(steps(status)).toEqual([
      'pay 1',
      'revoke-look-query 1',
      'revoke 1',
      'revoke-check-query 1',
      'revoke 2',
      'revoke-check-query 2',
      'close-check-query 1',
    ]);
    const [first, second] = revokeTimes(payment, status);
    expectAround(second! - first!, 5 * SECOND);
    expectAround(stepTimes(status, 'close-check-query')[0], W);
    expect(status.state).toBe('REVOKED');
    expect(status.revoke!.status).toBe('REVOKED');
  });

  it('a query after the revoke showing the order REFUNDED goes to a person', async () => {
    const payment = await paid({ query: [order('PAID'), order('REFUNDED')], revoke: [reversalError()] });
    await revokeAt(payment, 10 * MINUTE);
    const status = await payment.waitForState('NEEDS_ATTENTION');
    expectCalls(payment, status, ['pay', 'query', 'revoke', 'query']);
    expect(status.revoke!.status).toBe('NEEDS_ATTENTION');
    expect(status.escalation!.reason).toBe('order REFUNDED at the gateway during revoke');
  });
});

describe('the look before the first revoke', () => {
  it('CANCELED already: REVOKED without sending a revoke', async () => {
    const payment = await paid({ query: [order('CANCELED')] });
    await revokeAt(payment, 10 * MINUTE);
    const status = await payment.result();
    expectCalls(payment, status, ['pay', 'query']);
    expect(status.state).toBe('REVOKED');
    expect(status.revoke).toMatchObject({
      status: 'REVOKED',
      detail: 'already CANCELED at the gateway; no revoke sent',
    });
  });

  // Issue #16 part 3 (patch payment-knows-refunds): the gateway forbids a revoke after a refund, so the
  // revoke is refused unsent and the payment stays PAID, checked at close (test/workflow/payment-refunds.test.ts).
  it.each([{ shows: 'REFUNDED' }, { shows: 'PARTIAL_REFUNDED' }])(
    '$shows: refused, no revoke sent ("refunded: use refund")',
    async ({ shows }) => {
      const payment = await paid({ query: [order(shows)] });
      await revokeAt(payment, 10 * MINUTE);
      const status = await payment.waitFor((s) => s.revoke?.status === 'REFUSED', 'revoke REFUSED');
      expectCalls(payment, status, ['pay', 'query']);
      expect(status.state).toBe('PAID');
      expect(status.revoke!.detail).toBe(`refunded: use refund (the look shows the order ${shows}); no revoke sent`);
    },
  );

  it.each([
    { shows: 'no such order', answer: orderNotFound(), named: 'not found' },
    { shows: 'CREATED', answer: order('CREATED'), named: 'CREATED' },
  ])('$shows: a person decides, no revoke sent', async ({ answer, named }) => {
    const payment = await paid({ query: [answer] });
    await revokeAt(payment, 10 * MINUTE);
    const status = await payment.waitForState('NEEDS_ATTENTION');
    expectCalls(payment, status, ['pay', 'query']);
    expect(status.revoke!.status).toBe('NEEDS_ATTENTION');
    expect(status.escalation!.reason).toBe(`order ${named} at the gateway before revoke; revoke not sent`);
  });

  it.each([
    { shows: 'no answer', answer: noAnswer() },
    { shows: 'CANCEL_INPROGRESS', answer: order('CANCEL_INPROGRESS') },
  ])('$shows: the revoke is sent', async ({ answer }) => {
    const payment = await paid({ query: [answer, order('CANCELED')], revoke: [reversed()] });
    await revokeAt(payment, 10 * MINUTE);
    const status = await payment.result();
    expectCalls(payment, status, ['pay', 'query', 'revoke']);
    expect(status.state).toBe('REVOKED');
  });
});

describe('refusals', () => {
  it('refused (UPAY_TCP_ORDER_NOT_REFUNDABLE) and still PAID: PAID, revoke REFUSED with the code, no retry', async () => {
    const payment = await paid({ query: [order('PAID')], revoke: [refused('UPAY_TCP_ORDER_NOT_REFUNDABLE')] });
    await revokeAt(payment, 10 * MINUTE);
    const status = await payment.result();
    expectCalls(payment, status, ['pay', 'query', 'revoke', 'query']);
    expect(status.state).toBe('PAID');
    expect(status.revoke).toMatchObject({ status: 'REFUSED', detail: 'UPAY_TCP_ORDER_NOT_REFUNDABLE' });
    expect(status.escalation).toBeUndefined();
  });

  it('refused on the first attempt with an unclear query: REFUSED (nothing was sent before it)', async () => {
    const payment = await paid({ query: [order('PAID'), noAnswer()], revoke: [refused()] });
    await revokeAt(payment, 10 * MINUTE);
    const status = await payment.result();
    expectCalls(payment, status, ['pay', 'query', 'revoke', 'query']);
    expect(status.state).toBe('PAID');
    expect(status.revoke).toMatchObject({ status: 'REFUSED', detail: 'UPAY_CANCEL_INVALID_ORDER_STATE' });
  });

  it('R3: refusals and PAID while an earlier revoke is in doubt prove nothing: revoked again until the doubt is over (60 s), then REFUSED; checked at close', async () => {
    const inFlight: (string | undefined)[] = [];
    const refusedWatched = during(async (ctx) => inFlight.push((await ctx.payment.status()).revoke?.status), refused());
    const payment = await paid({ query: [order('PAID')], revoke: [noAnswer(), refusedWatched] });
    await payment.advanceTo(10 * MINUTE);
    const update = await payment.startRevokeUpdate();
    const status = await payment.result();
    // 10 min: no answer (in doubt until 60 s later); refused at +5 s, +15 s, +35 s (in doubt), +75 s (not).
    expectCalls(payment, status, ['pay', 'query', ...revokeAttempts(5), 'query']);
    revokeTimes(payment, status).forEach((at, i) => expectAround(at, 10 * MINUTE + [0, 5, 15, 35, 75][i]! * SECOND));
    expect(inFlight).toEqual(['IN_PROGRESS', 'IN_PROGRESS', 'IN_PROGRESS', 'IN_PROGRESS']);
    expect(status.state).toBe('PAID');
    expect(status.revoke).toMatchObject({ status: 'REFUSED', detail: 'UPAY_CANCEL_INVALID_ORDER_STATE' });
    expect(await update.result()).toMatchObject({ state: 'PAID', revoke: { status: 'REFUSED' } });
    expect(steps(status).at(-1)).toBe('close-check-query 1');
    expectAround(stepTimes(status, 'close-check-query')[0], W);
  });

  it('R3: refused after a lost answer, queries unclear: no proof, retried while the window is open; it closes in doubt → waited out by query → NEEDS_ATTENTION', async () => {
    const payment = await saga.start(
      { pay: [paySuccess()], query: [order('PAID'), noAnswer()], revoke: [noAnswer(), refused()] },
      { timing: TIMING },
    );
    await revokeAt(payment, W - MINUTE);
    await payment.advanceTo(W + 5 * SECOND);
    const status = await payment.waitForState('NEEDS_ATTENTION');
    // W-60 s, W-55 s, W-45 s, W-25 s; the next (W+15 s) would be past the window. The first may take
    // effect until W: a query every 5 s until then.
    expectCalls(payment, status, ['pay', 'query', ...revokeAttempts(4), ...queries(5)]);
    expect(steps(status).slice(-5)).toEqual(numbered('revoke-check-query', 5, 5));
    expect(status.revoke!.status).toBe('NEEDS_ATTENTION');
    expect(status.escalation!.reason).toBe('no definite revoke answer before the revoke window closed');
    expectAround(status.escalation!.at - status.startedAt, W);
  });

  it('R3: refused after the doubt of the first attempt ran out, the status of the order still unclear: no proof (the first may have landed), so never REFUSED; a person at the close (patch refusal-needs-status-after-doubt, fuzz seed 1898)', async () => {
    const payment = await saga.start(
      { pay: [paySuccess()], query: [order('PAID'), noAnswer()], revoke: [noAnswer(), refused()] },
      { timing: TIMING },
    );
    await revokeAt(payment, 10 * MINUTE);
    await payment.advanceTo(W + 5 * MINUTE);
    const status = await payment.waitForState('NEEDS_ATTENTION');
    expect(status.revoke!.status).toBe('NEEDS_ATTENTION');
    expect(status.escalation!.reason).toBe('no definite revoke answer before the revoke window closed');
    const attempts = status.calls.filter((c) => c.step === 'revoke');
    // Refusals came long after the first attempt's 60 s of doubt, yet none of them ended the revoke.
    expect(attempts.at(-1)!.at - attempts[0]!.at).toBeGreaterThan(MINUTE);
    expect(attempts.slice(1).every((c) => c.errorCode === 'UPAY_CANCEL_INVALID_ORDER_STATE')).toBe(true);
  });

  it('R3: a revoke REFUSED after its doubt ended whose first attempt lands after all: the gateway shows CANCELED at close → NEEDS_ATTENTION, never closed PAID', async () => {
    const payment = await paid({
      query: [...Array.from({ length: 6 }, () => order('PAID')), order('CANCELED')],
      revoke: [noAnswer(), refused()],
    });
    await revokeAt(payment, 10 * MINUTE);
    await payment.advanceTo(W + MINUTE);
    const status = await payment.waitForState('NEEDS_ATTENTION');
    expectCalls(payment, status, ['pay', 'query', ...revokeAttempts(5), 'query']);
    expect(status.revoke).toMatchObject({ status: 'REFUSED', detail: 'UPAY_CANCEL_INVALID_ORDER_STATE' });
    expect(status.escalation!.reason).toBe('order is CANCELED at the gateway at close, but the payment is PAID');
    expectAround(status.escalation!.at - status.startedAt, W);
  });
});

describe('the revoke window', () => {
  it('a revoke 30 s before the window closes is carried out', async () => {
    const payment = await paid({ query: [order('PAID')], revoke: [reversed()] });
    await revokeAt(payment, W - 30 * SECOND);
    const status = await payment.result();
    expectCalls(payment, status, ['pay', 'query', 'revoke']);
    expect(status.state).toBe('REVOKED');
    expectAround(revokeTimes(payment, status)[0], W - 30 * SECOND);
  });

  it('after the window the workflow of a PAID payment has closed: a revoke finds nothing to signal or update', async () => {
    const payment = await paid({});
    await payment.advanceTo(W + MINUTE);
    const status = await payment.result();
    expectAround(status.settledAt! - status.startedAt, W);
    await expect(payment.handle.signal(revokeSignal, REVOKE)).rejects.toThrow(WorkflowNotFoundError);
    await expect(payment.startRevokeUpdate()).rejects.toThrow(WorkflowNotFoundError);
    expectCalls(payment, status, ['pay']);
  });

  it('a revoke just before the close whose look ends after it: nothing sent, REFUSED', async () => {
    const payment = await paid({ query: [slow(5 * SECOND, order('PAID'))], revoke: [reversed()] });
    await revokeAt(payment, W - 3 * SECOND);
    const status = await payment.result();
    expectCalls(payment, status, ['pay', 'query']);
    expect(status.state).toBe('PAID');
    expect(status.revoke).toMatchObject({
      status: 'REFUSED',
      detail: 'the revoke window closed before the revoke could be sent',
    });
  });

  it('a revoke the activity holds back (it could not reach the gateway before the window ends): never sent, so REFUSED at once, not a person (patch revoke-held-back-refused)', async () => {
    const heldBack: Answer = () => ({
      operation: 'revoke',
      kind: 'unknown',
      reason: 'not sent: the send deadline passed (23:58 Shanghai, less 2000 ms to reach the gateway)',
      transportError: 'SEND_DEADLINE',
    });
    const payment = await paid({ query: [order('PAID')], revoke: [heldBack] });
    await revokeAt(payment, W - SECOND);
    const status = await payment.result();
    expectCalls(payment, status, ['pay', 'query', 'revoke', 'query']);
    expect(status.state).toBe('PAID');
    expect(status.revoke).toMatchObject({
      status: 'REFUSED',
      detail: 'the revoke window closed before the revoke could be sent',
    });
    expect(status.escalation).toBeUndefined();
  });

  it('no definite answer: retried 5 s, 10 s, 20 s later while the window is open; R3: the last revoke, in doubt, is waited out by query past the close, then NEEDS_ATTENTION (the update answers so)', async () => {
    const payment = await paid({ query: [order('PAID')], revoke: [noAnswer()] });
    await payment.advanceTo(W - MINUTE);
    const update = await payment.startRevokeUpdate();
    await payment.advanceTo(W + 40 * SECOND);
    const result = await update.result();
    expect(result).toMatchObject({ state: 'NEEDS_ATTENTION', revoke: { status: 'NEEDS_ATTENTION', via: 'update' } });
    const status = await payment.status();
    // The 4th revoke (W-25 s) may take effect until W+35 s: a query every 5 s until then, none sent after the close.
    expectCalls(payment, status, ['pay', 'query', ...revokeAttempts(4), ...queries(12)]);
    const times = revokeTimes(payment, status);
    [W - 60 * SECOND, W - 55 * SECOND, W - 45 * SECOND, W - 25 * SECOND].forEach((at, i) => expectAround(times[i], at));
    stepTimes(status, 'revoke-check-query')
      .slice(4)
      .forEach((at, i) => expectAround(at, W - 25 * SECOND + (i + 1) * 5 * SECOND));
    expect(status.escalation!.reason).toBe('no definite revoke answer before the revoke window closed');
    // It escalates once the last revoke can no longer take effect.
    expectAround(status.escalation!.at - status.startedAt, W - 25 * SECOND + DOUBT);
  });

  it('an attempt due 2 s before the close is sent; R3: the earlier ones were in doubt, so checked at close', async () => {
    const payment = await paid({
      query: [order('PAID'), order('PAID'), order('PAID'), order('PAID'), order('CANCELED')],
      revoke: [noAnswer(), noAnswer(), noAnswer(), reversed()],
    });
    await revokeAt(payment, W - 37 * SECOND); // attempts at W-37, W-32, W-22, W-2
    const status = await payment.result();
    expectCalls(payment, status, ['pay', 'query', ...revokeAttempts(3), 'revoke', 'query']);
    expect(steps(status).slice(-2)).toEqual(['revoke 4', 'close-check-query 1']);
    expect(status.state).toBe('REVOKED');
  });

  it('an attempt due at the close is not; R3: the third, in doubt, is waited out by query (60 s), then NEEDS_ATTENTION', async () => {
    const payment = await paid({ query: [order('PAID')], revoke: [noAnswer(), noAnswer(), noAnswer(), reversed()] });
    await revokeAt(payment, W - 35 * SECOND); // attempts at W-35, W-30, W-20; the 4th would be at W
    await payment.advanceTo(W - 20 * SECOND + DOUBT + 5 * SECOND);
    const status = await payment.waitForState('NEEDS_ATTENTION');
    expectCalls(payment, status, ['pay', 'query', ...revokeAttempts(3), ...queries(12)]);
    expect(status.escalation!.reason).toBe('no definite revoke answer before the revoke window closed');
  });

  it('R3: the window closes with a revoke in doubt; a query while waiting shows the order CANCELED → REVOKED, checked at close', async () => {
    const payment = await paid({
      query: [order('PAID'), order('PAID'), order('PAID'), order('PAID'), order('PAID'), order('CANCELED')],
      revoke: [noAnswer()],
    });
    await revokeAt(payment, W - 30 * SECOND); // attempts at W-30, W-25, W-15; the 4th would be past the close
    const status = await payment.result();
    expectCalls(payment, status, ['pay', 'query', ...revokeAttempts(3), 'query', 'query', 'query']);
    expect(steps(status).slice(-3)).toEqual(['revoke-check-query 4', 'revoke-check-query 5', 'close-check-query 1']);
    expectAround(stepTimes(status, 'revoke-check-query')[4], W - 5 * SECOND);
    expect(status.state).toBe('REVOKED');
    expect(status.revoke!.status).toBe('REVOKED');
    expect(status.escalation).toBeUndefined();
  });

  it('R3: the window closes after refusals while in doubt; PAID once the doubt is over → REFUSED (not before), checked at close', async () => {
    const payment = await paid({ query: [order('PAID')], revoke: [noAnswer(), refused()] });
    await revokeAt(payment, W - 30 * SECOND); // no answer at W-30 (in doubt until W+30); refused at W-25, W-15
    await payment.advanceTo(W + 10 * SECOND);
    const waiting = await payment.status();
    expect(waiting).toMatchObject({ state: 'REVOKING', revoke: { status: 'IN_PROGRESS' } });
    const status = await payment.result();
    // Waited out: W-10 s … W+30 s, every 5 s; then the check at close.
    expectCalls(payment, status, ['pay', 'query', ...revokeAttempts(3), ...queries(9), 'query']);
    expect(steps(status).slice(-10)).toEqual([...numbered('revoke-check-query', 9, 4), 'close-check-query 1']);
    expect(status.state).toBe('PAID');
    expect(status.revoke).toMatchObject({ status: 'REFUSED', detail: 'UPAY_CANCEL_INVALID_ORDER_STATE' });
    expectAround(stepTimes(status, 'close-check-query')[0], W + 30 * SECOND);
  });
});

describe('a revoke asked for before the outcome is known', () => {
  it('while PAYING: remembered, carried out once pay answers PAID', async () => {
    const payment = await saga.start(
      { pay: [revokeBySignal(paySuccess())], query: [order('PAID')], revoke: [reversed()] },
      { timing: TIMING },
    );
    const status = await payment.result();
    expectCalls(payment, status, ['pay', 'query', 'revoke']);
    expect(status.state).toBe('REVOKED');
    expect(status.revoke).toMatchObject({ status: 'REVOKED', via: 'signal' });
  });

  it('while CONFIRMING: remembered (PENDING), carried out right after the query that finds PAID', async () => {
    const pendingSeen: (string | undefined)[] = [];
    const watchRevoke = during(
      async (ctx) => pendingSeen.push((await ctx.payment.status()).revoke?.status),
      order('PAID'),
    );
    const payment = await saga.start(
      {
        pay: [noAnswer()],
        query: [revokeBySignal(order('CREATED')), watchRevoke, order('PAID')],
        revoke: [reversed()],
      },
      { timing: TIMING },
    );
    const status = await payment.result();
    expectCalls(payment, status, ['pay', 'query', 'query', 'query', 'revoke']);
    expect(pendingSeen).toEqual(['PENDING']);
    expect(status.state).toBe('REVOKED');
    const [, q1, q2, look, revoke] = payment.scheduledTimes(status);
    expectAround(q1, 5 * SECOND);
    expectAround(q2, 10 * SECOND);
    expectAround(look, 10 * SECOND);
    expectAround(revoke, 10 * SECOND);
    expectAround(status.revoke!.requestedAt - status.startedAt, 5 * SECOND);
  });

  it('while CONFIRMING, by update; the payment ends FAILED: NOT_NEEDED, and the update answers so', async () => {
    const payment = await saga.start(
      { pay: [noAnswer()], query: [revokeByUpdate(order('CREATED')), order('PAY_CANCELED')] },
      { timing: TIMING },
    );
    const status = await payment.result();
    expect(await payment.revokeUpdateResult()).toMatchObject({
      state: 'FAILED',
      revoke: { status: 'NOT_NEEDED', detail: 'payment ended FAILED', via: 'update' },
    });
    expectCalls(payment, status, ['pay', 'query', 'query']);
    expect(status.revoke).toMatchObject({ status: 'NOT_NEEDED', detail: 'payment ended FAILED' });
  });

  it('while CANCELING; the cancel succeeds: NOT_NEEDED (payment ended CANCELED)', async () => {
    const payment = await saga.start(
      { pay: [noAnswer()], query: [order('CREATED')], cancel: [revokeBySignal(reversed())] },
      { timing: TIMING },
    );
    const status = await payment.result();
    expectCalls(payment, status, ['pay', ...Array.from({ length: 8 }, () => 'query' as const), 'cancel']);
    expect(status.state).toBe('CANCELED');
    expect(status.revoke).toMatchObject({ status: 'NOT_NEEDED', detail: 'payment ended CANCELED' });
  });

  it('while CANCELING; R2: a PAID found after the cancel is cancelled again (never revoked, never PAID): NOT_NEEDED once CANCELED, checked at close', async () => {
    const confirmQueries = Array.from({ length: 8 }, () => order('CREATED'));
    const payment = await saga.start(
      {
        pay: [noAnswer()],
        query: [...confirmQueries, order('PAID'), order('CANCELED')],
        cancel: [revokeBySignal(noAnswer()), reversed()],
        revoke: [reversed()],
      },
      { timing: TIMING },
    );
    const status = await payment.result();
    const confirm: Operation[] = Array.from({ length: 8 }, () => 'query');
    expectCalls(payment, status, ['pay', ...confirm, 'cancel', 'query', 'cancel', 'query']);
    expect(steps(status).slice(-4)).toEqual(['cancel 1', 'cancel-check-query 1', 'cancel 2', 'close-check-query 1']);
    expect(status.state).toBe('CANCELED');
    expect(status.revoke).toMatchObject({ status: 'NOT_NEEDED', detail: 'payment ended CANCELED', via: 'signal' });
  });
});

/**
 * Revoke (手动撤单): the look before the first revoke, the revoke schedule and the revoke window's
 * boundaries, refusals (and why a refusal after a lost answer is no proof), and revokes asked for
 * before the payment's outcome was known.
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
  revokeBySignal,
  revokeByUpdate,
  slow,
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

  it('a revoke in progress is checked by query: CANCEL_INPROGRESS → again 5 s later, then CANCELED → REVOKED', async () => {
    const payment = await paid({
      query: [order('PAID'), order('CANCEL_INPROGRESS'), order('CANCELED')],
      revoke: [reversing()],
    });
    await revokeAt(payment, 10 * MINUTE);
    const status = await payment.result();
    expectCalls(payment, status, ['pay', 'query', ...revokeAttempts(2)]);
    const [first, second] = revokeTimes(payment, status);
    expectAround(second! - first!, 5 * SECOND);
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

  it.each([
    { shows: 'REFUNDED', answer: order('REFUNDED'), named: 'REFUNDED' },
    { shows: 'PARTIAL_REFUNDED', answer: order('PARTIAL_REFUNDED'), named: 'PARTIAL_REFUNDED' },
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

  it('refused after a lost answer, with a query showing PAID: the query proves it, REFUSED', async () => {
    const payment = await paid({
      query: [order('PAID'), order('PAID'), order('PAID')],
      revoke: [noAnswer(), refused()],
    });
    await revokeAt(payment, 10 * MINUTE);
    const status = await payment.result();
    expectCalls(payment, status, ['pay', 'query', ...revokeAttempts(2)]);
    expect(status.state).toBe('PAID');
    expect(status.revoke).toMatchObject({ status: 'REFUSED', detail: 'UPAY_CANCEL_INVALID_ORDER_STATE' });
  });

  it('refused after a lost answer, queries unclear: no proof (patch refusal-after-unknown-revoke), retried until the window closes, then NEEDS_ATTENTION', async () => {
    const payment = await paid({ query: [order('PAID'), noAnswer()], revoke: [noAnswer(), refused()] });
    await revokeAt(payment, W - MINUTE);
    await payment.advanceTo(W - 20 * SECOND);
    const status = await payment.waitForState('NEEDS_ATTENTION');
    // W-60 s, W-55 s, W-45 s, W-25 s; the next (W+15 s) would be past the window.
    expectCalls(payment, status, ['pay', 'query', ...revokeAttempts(4)]);
    expect(status.revoke!.status).toBe('NEEDS_ATTENTION');
    expect(status.escalation!.reason).toBe('no definite revoke answer before the revoke window closed');
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

  it('no definite answer: retried 5 s, 10 s, 20 s later while the window is open, then NEEDS_ATTENTION (the update answers so)', async () => {
    const payment = await paid({ query: [order('PAID')], revoke: [noAnswer()] });
    await payment.advanceTo(W - MINUTE);
    const update = await payment.startRevokeUpdate();
    await payment.advanceTo(W - 20 * SECOND);
    const result = await update.result();
    expect(result).toMatchObject({ state: 'NEEDS_ATTENTION', revoke: { status: 'NEEDS_ATTENTION', via: 'update' } });
    const status = await payment.status();
    expectCalls(payment, status, ['pay', 'query', ...revokeAttempts(4)]);
    const times = revokeTimes(payment, status);
    [W - 60 * SECOND, W - 55 * SECOND, W - 45 * SECOND, W - 25 * SECOND].forEach((at, i) => expectAround(times[i], at));
    expect(status.escalation!.reason).toBe('no definite revoke answer before the revoke window closed');
    // It escalates as soon as the next attempt would start after the close, not at the close.
    expectAround(status.escalation!.at - status.startedAt, W - 25 * SECOND);
  });

  it('an attempt due 2 s before the close is sent', async () => {
    const payment = await paid({ query: [order('PAID')], revoke: [noAnswer(), noAnswer(), noAnswer(), reversed()] });
    await revokeAt(payment, W - 37 * SECOND); // attempts at W-37, W-32, W-22, W-2
    const status = await payment.result();
    expectCalls(payment, status, ['pay', 'query', ...revokeAttempts(3), 'revoke']);
    expect(status.state).toBe('REVOKED');
  });

  it('an attempt due at the close is not: NEEDS_ATTENTION after the third', async () => {
    const payment = await paid({ query: [order('PAID')], revoke: [noAnswer(), noAnswer(), noAnswer(), reversed()] });
    await revokeAt(payment, W - 35 * SECOND); // attempts at W-35, W-30, W-20; the 4th would be at W
    await payment.advanceTo(W - 10 * SECOND);
    const status = await payment.waitForState('NEEDS_ATTENTION');
    expectCalls(payment, status, ['pay', 'query', ...revokeAttempts(3)]);
    expect(status.escalation!.reason).toBe('no definite revoke answer before the revoke window closed');
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

  it('while CANCELING; PAID found after the cancel: revoked then; a REVOKED payment is not checked at close', async () => {
    const confirmQueries = Array.from({ length: 8 }, () => order('CREATED'));
    const payment = await saga.start(
      {
        pay: [noAnswer()],
        query: [...confirmQueries, order('PAID'), order('PAID')],
        cancel: [revokeBySignal(noAnswer())],
        revoke: [reversed()],
      },
      { timing: TIMING },
    );
    const status = await payment.result();
    const confirm: Operation[] = Array.from({ length: 8 }, () => 'query');
    expectCalls(payment, status, ['pay', ...confirm, 'cancel', 'query', 'query', 'revoke']);
    expect(status.state).toBe('REVOKED');
    expect(status.revoke!.status).toBe('REVOKED');
  });
});

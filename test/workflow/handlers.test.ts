/**
 * Messages and races: a revoke asked twice (one after the other, or together in one activation),
 * every reason the revoke update's validator refuses (a refused update leaves no trace; a refused
 * signal is kept in status.ignored), resolves that do not apply, and invalid payment requests.
 */
import {
  ApplicationFailure,
  WorkflowFailedError,
  WorkflowUpdateFailedError,
  WorkflowUpdateStage,
} from '@temporalio/client';
import { resolveSignal, revokeSignal, revokeUpdate } from '../../workflows/definitions';
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
  payFail,
  paySuccess,
  refused,
  resolution,
  resolveBySignal,
  reversed,
  useSagaEnvironment,
  type Answer,
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

const ALREADY = /^a revoke was already requested at \d{4}-\d\d-\d\dT[\d:.]+Z \(revoke is allowed once\)$/;
const WINDOW_CLOSED = 'the revoke window has closed (same business day only, Asia/Shanghai)';

/**
 * Why the revoke update was refused (its validator's message), or 'accepted'. A refused update
 * completes at once with its failure; an accepted one stays open while the revoke runs.
 */
async function revokeUpdateVerdict(payment: Payment, request: unknown): Promise<string> {
  const update = await payment.handle.startUpdate(revokeUpdate, {
    args: [request as RevokeRequest],
    waitForStage: WorkflowUpdateStage.ACCEPTED,
  });
  const stillOpen = new Promise<'accepted'>((resolve) => setTimeout(() => resolve('accepted'), 2 * SECOND).unref());
  try {
    return await Promise.race([update.result().then(() => 'accepted' as const), stillOpen]);
  } catch (err) {
    expect(err).toBeInstanceOf(WorkflowUpdateFailedError);
    const cause = (err as WorkflowUpdateFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    return cause!.message;
  }
}

/** Sends the revoke signal and returns what the payment recorded about it. */
async function revokeSignalVerdict(payment: Payment, request: unknown): Promise<PaymentStatus['ignored']> {
  const before = await payment.status();
  await payment.handle.signal(revokeSignal, request as RevokeRequest);
  const status = await payment.waitFor(
    (s) => s.ignored.length > before.ignored.length || s.revoke?.requestedAt !== before.revoke?.requestedAt,
    'the signal handled',
  );
  return status.ignored.slice(before.ignored.length);
}

async function started(script: Script, state: PaymentStatus['state'], after = 0): Promise<Payment> {
  const payment = await saga.start(script, { timing: TIMING });
  if (after > 0) await payment.advanceTo(after);
  await payment.waitForState(state);
  return payment;
}

describe('a revoke asked twice', () => {
  it('one signal after another: one revoke is sent; the second is kept in status.ignored', async () => {
    const payment = await started({ pay: [paySuccess()], query: [order('PAID')], revoke: [reversed()] }, 'PAID');
    await payment.advanceTo(10 * MINUTE);
    await payment.handle.signal(revokeSignal, REVOKE);
    await payment.handle.signal(revokeSignal, { operator: 'ops-li', reason: 'asked again' });
    const status = await payment.result();
    expectCalls(payment, status, ['pay', 'query', 'revoke']);
    expect(status.revoke).toMatchObject({ ...REVOKE, status: 'REVOKED' });
    expect(status.ignored).toHaveLength(1);
    expect(status.ignored[0]).toMatchObject({ name: 'revoke', why: expect.stringMatching(ALREADY) });
    expectAround(status.ignored[0]!.at - status.startedAt, 10 * MINUTE);
  });

  it('two signals arriving together (while a call is in flight, one activation): the first is the one carried out', async () => {
    const both = during(async (ctx) => {
      await ctx.payment.handle.signal(revokeSignal, REVOKE);
      await ctx.payment.handle.signal(revokeSignal, { operator: 'ops-li', reason: 'asked again' });
    }, order('CREATED'));
    const payment = await saga.start(
      { pay: [noAnswer()], query: [both, order('PAID'), order('PAID')], revoke: [reversed()] },
      { timing: TIMING },
    );
    const status = await payment.result();
    expectCalls(payment, status, ['pay', 'query', 'query', 'query', 'revoke']);
    expect(status.revoke).toMatchObject({ ...REVOKE, status: 'REVOKED', via: 'signal' });
    expect(status.ignored).toEqual([{ at: expect.any(Number), name: 'revoke', why: expect.stringMatching(ALREADY) }]);
  });

  it('a signal, then the update: the validator refuses the update, which leaves no trace', async () => {
    const payment = await started({ pay: [paySuccess()], query: [order('PAID')], revoke: [reversed()] }, 'PAID');
    await payment.advanceTo(10 * MINUTE);
    await payment.handle.signal(revokeSignal, REVOKE);
    expect(await revokeUpdateVerdict(payment, { operator: 'ops-li', reason: 'asked again' })).toMatch(ALREADY);
    const status = await payment.result();
    expectCalls(payment, status, ['pay', 'query', 'revoke']);
    expect(status.revoke).toMatchObject({ via: 'signal', status: 'REVOKED' });
    expect(status.ignored).toEqual([]);
  });

  it('a signal while the revoke is being sent (REVOKING) is ignored', async () => {
    const again = during(
      (ctx) => ctx.payment.handle.signal(revokeSignal, { operator: 'ops-li', reason: 'asked again' }),
      reversed(),
    );
    const payment = await started({ pay: [paySuccess()], query: [order('PAID')], revoke: [again] }, 'PAID');
    await payment.advanceTo(10 * MINUTE);
    await payment.handle.signal(revokeSignal, REVOKE);
    const status = await payment.result();
    expectCalls(payment, status, ['pay', 'query', 'revoke']);
    expect(status.ignored).toEqual([{ at: expect.any(Number), name: 'revoke', why: expect.stringMatching(ALREADY) }]);
  });
});

describe('the revoke update refuses, and a revoke signal is ignored, when', () => {
  it.each([
    { body: 'no reason', request: { operator: 'ops' }, why: 'reason is required' },
    { body: 'an empty operator', request: { operator: ' ', reason: 'returned' }, why: 'operator must not be empty' },
    {
      body: 'an unknown field',
      request: { operator: 'ops', reason: 'returned', amountFen: 100 },
      why: 'amountFen is not a known field',
    },
    {
      body: 'not an object',
      request: 'please revoke',
      why: '(revoke) must be a JSON object like {"operator":"…","reason":"…"}',
    },
  ])('the request has $body', async ({ request, why }) => {
    const payment = await started({ pay: [paySuccess()] }, 'PAID');
    expect(await revokeUpdateVerdict(payment, request)).toBe(why);
    expect(await revokeSignalVerdict(payment, request)).toEqual([{ at: expect.any(Number), name: 'revoke', why }]);
    const status = await payment.result();
    expectCalls(payment, status, ['pay']);
    expect(status.revoke).toBeUndefined();
    expect(status.state).toBe('PAID');
  });

  it.each([
    { state: 'FAILED', script: { pay: [payFail()] }, after: 0 },
    { state: 'CANCELED', script: { pay: [noAnswer()], query: [order('CANCELED')] }, after: 6 * SECOND },
    { state: 'NEEDS_ATTENTION', script: { pay: [noAnswer()], query: [order('REFUNDED')] }, after: 6 * SECOND },
  ] as const)('the payment is $state', async ({ state, script, after }) => {
    const payment = await started(script, state, after);
    const why = `payment is ${state}; only a PAID payment can be revoked`;
    expect(await revokeUpdateVerdict(payment, REVOKE)).toBe(why);
    expect(await revokeSignalVerdict(payment, REVOKE)).toEqual([{ at: expect.any(Number), name: 'revoke', why }]);
    expect((await payment.status()).revoke).toBeUndefined();
  });

  it('the payment was revoked already', async () => {
    const payment = await started({ pay: [paySuccess()], query: [order('PAID')], revoke: [reversed()] }, 'PAID');
    await payment.handle.signal(revokeSignal, REVOKE);
    await payment.waitForState('REVOKED');
    expect(await revokeUpdateVerdict(payment, REVOKE)).toMatch(ALREADY);
    const ignored = await revokeSignalVerdict(payment, REVOKE);
    expect(ignored).toEqual([{ at: expect.any(Number), name: 'revoke', why: expect.stringMatching(ALREADY) }]);
  });

  it('the revoke window has closed (a payment resolved PAID, still open for its check at close)', async () => {
    const verdicts: string[] = [];
    const ignored: PaymentStatus['ignored'][] = [];
    const lateRevokes: Answer = during(async (ctx) => {
      verdicts.push(await revokeUpdateVerdict(ctx.payment, REVOKE));
      ignored.push(await revokeSignalVerdict(ctx.payment, REVOKE));
    }, order('PAID'));
    const confirm = Array.from({ length: 8 }, () => order('CREATED'));
    // Money rules R2: compensation never ends PAID, so the PAID payment open at close is one a person resolved.
    const payment = await started(
      { pay: [noAnswer()], query: [...confirm, order('PAID'), lateRevokes], cancel: [refused()] },
      'NEEDS_ATTENTION',
      45 * SECOND,
    );
    await payment.handle.signal(resolveSignal, resolution('PAID'));
    const status = await payment.result();
    expect(status.calls.at(-1)!.step).toBe('close-check-query');
    expect(verdicts).toEqual([WINDOW_CLOSED]);
    expect(ignored).toEqual([[{ at: expect.any(Number), name: 'revoke', why: WINDOW_CLOSED }]]);
    expect(status.revoke).toBeUndefined();
    expect(status.state).toBe('PAID');
    expect(status.ignored[0]!.at - status.startedAt).toBeGreaterThanOrEqual(W);
  });
});

describe('resolve', () => {
  it('while PAID: kept in status.ignored; the payment stays PAID and is not checked at close', async () => {
    const payment = await started({ pay: [paySuccess()] }, 'PAID');
    await payment.handle.signal(resolveSignal, resolution('FAILED'));
    await payment.waitFor((s) => s.ignored.length === 1, 'the resolve ignored');
    const status = await payment.result();
    expectCalls(payment, status, ['pay']);
    expect(status.state).toBe('PAID');
    expect(status.resolution).toBeUndefined();
    expect(status.ignored).toEqual([
      { at: expect.any(Number), name: 'resolve', why: 'payment is PAID; resolve applies to NEEDS_ATTENTION only' },
    ]);
  });

  it('sent early (while CONFIRMING): ignored, and not applied when the payment then needs a person', async () => {
    const payment = await saga.start(
      { pay: [noAnswer()], query: [resolveBySignal(order('CREATED'), resolution('CANCELED')), order('REFUNDED')] },
      { timing: TIMING },
    );
    await payment.advanceTo(15 * SECOND);
    const status = await payment.waitForState('NEEDS_ATTENTION');
    expect(status.resolution).toBeUndefined();
    expect(status.ignored).toEqual([
      {
        at: expect.any(Number),
        name: 'resolve',
        why: 'payment is CONFIRMING; resolve applies to NEEDS_ATTENTION only',
      },
    ]);
  });

  it('a malformed resolve on NEEDS_ATTENTION is ignored naming the fields (R7: every resolution listed); the payment waits on; a good one applies', async () => {
    const payment = await started(
      { pay: [noAnswer()], query: [order('REFUNDED'), order('REFUNDED')] },
      'NEEDS_ATTENTION',
      6 * SECOND,
    );
    await payment.handle.signal(resolveSignal, {
      operator: 'ops-lead',
      resolution: 'WRITTEN_OFF',
    } as unknown as ReturnType<typeof resolution>);
    const waiting = await payment.waitFor((s) => s.ignored.length === 1, 'the resolve ignored');
    expect(waiting.state).toBe('NEEDS_ATTENTION');
    expect(waiting.ignored[0]).toMatchObject({
      name: 'resolve',
      why:
        'note is required; resolution must be one of PAID, FAILED, CANCELED, REVOKED, REFUNDED, PARTIAL_REFUNDED, ' +
        'SETTLED_OUTSIDE',
    });
    await payment.handle.signal(resolveSignal, resolution('CANCELED'));
    const status = await payment.result();
    expect(status.state).toBe('CANCELED');
    expectCalls(payment, status, ['pay', 'query', 'query']);
  });

  it('R7: SETTLED_OUTSIDE without a reference is ignored (reference is required); with one it applies', async () => {
    const payment = await started(
      { pay: [noAnswer()], query: [order('REFUNDED'), order('REFUNDED')] },
      'NEEDS_ATTENTION',
      6 * SECOND,
    );
    await payment.handle.signal(resolveSignal, resolution('SETTLED_OUTSIDE'));
    const waiting = await payment.waitFor((s) => s.ignored.length === 1, 'the resolve ignored');
    expect(waiting).toMatchObject({
      state: 'NEEDS_ATTENTION',
      ignored: [{ name: 'resolve', why: 'reference is required' }],
    });
    await payment.handle.signal(resolveSignal, resolution('SETTLED_OUTSIDE', 'SQB-TICKET-7'));
    const status = await payment.result();
    expect(status.state).toBe('SETTLED_OUTSIDE');
    expect(status.resolution).toMatchObject({ reference: 'SQB-TICKET-7', gatewayAtClose: { orderStatus: 'REFUNDED' } });
  });

  it('a second resolve, after the first applied, is ignored', async () => {
    const confirm = Array.from({ length: 8 }, () => order('CREATED'));
    const payment = await started(
      { pay: [noAnswer()], query: [...confirm, order('PAID'), order('PAY_CANCELED')], cancel: [refused()] },
      'NEEDS_ATTENTION',
      45 * SECOND,
    );
    await payment.handle.signal(resolveSignal, resolution('FAILED'));
    await payment.waitForState('FAILED');
    await payment.handle.signal(resolveSignal, resolution('PAID'));
    const status = await payment.result();
    expect(status.state).toBe('FAILED');
    expect(status.resolution).toMatchObject(resolution('FAILED'));
    expect(status.ignored).toEqual([
      { at: expect.any(Number), name: 'resolve', why: 'payment is FAILED; resolve applies to NEEDS_ATTENTION only' },
    ]);
  });
});

describe('an invalid payment request (a start from the CLI or the Web UI, around the library)', () => {
  it.each([
    { what: 'a zero amount', change: { amountFen: 0 }, why: 'amountFen must be positive' },
    {
      what: 'an unknown field and a missing subject',
      change: { subject: undefined, tip: 5 },
      why: 'tip is not a known field; subject is required',
    },
    {
      what: 'an empty cancel schedule',
      change: { timing: { cancelDelaysMs: [] } },
      why: 'timing.cancelDelaysMs must be a list of 1 to 100 durations',
    },
    {
      what: 'a revoke window past 7 days',
      change: { timing: { revokeWindowAfterMs: 8 * 24 * HOUR } },
      why: 'timing.revokeWindowAfterMs must be a positive integer number of ms, at most 7 days',
    },
    {
      what: 'R8 bounds: a cancel loop faster than a second',
      change: { timing: { cancelDelaysMs: [5 * SECOND, 500] } },
      why: 'timing.cancelDelaysMs[1] must be at least 1000 ms (no cancel loop faster than a second)',
    },
    {
      what: 'R8 bounds: more than five confirm queries a second',
      change: { timing: { confirmIntervalMs: 199 } },
      why: 'timing.confirmIntervalMs must be at least 200 ms (at most five queries a second)',
    },
    {
      what: 'R8 bounds: a revoke window past the business day (2 h 2 min left at 21:58)',
      change: { timing: { revokeWindowAfterMs: 3 * HOUR } },
      why: /^timing\.revokeWindowAfterMs must end within the payment's business day \(at most 73\d{5} ms from its start, 00:00 Asia\/Shanghai\)$/,
    },
  ])('fails at once with InvalidPaymentRequest naming the field ($what); nothing is sent', async ({ change, why }) => {
    const payment = await saga.start({ pay: [paySuccess()] }, { timing: TIMING, request: change });
    const err: unknown = await payment.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause).toMatchObject({ type: 'InvalidPaymentRequest', nonRetryable: true });
    const prefix = 'invalid payment request: ';
    expect(cause!.message.startsWith(prefix)).toBe(true);
    const problems = cause!.message.slice(prefix.length);
    if (typeof why === 'string') expect(problems).toBe(why);
    else expect(problems).toMatch(why);
    expect(payment.log).toEqual([]);
    expect(await scheduledActivities(payment)).toEqual(['admitPayment']);
  });

  it('R8: admission is an activity recorded in history, before anything is sent', async () => {
    const payment = await saga.start({ pay: [paySuccess()] }, { timing: TIMING });
    const status = await payment.result();
    expect(await scheduledActivities(payment)).toEqual(['admitPayment', 'payOrder']);
    expect(status.timing).toMatchObject({
      requestDoubtMs: 60 * SECOND,
      paySendDeadline: status.startedAt + 30 * SECOND,
    });
  });
});

/** The activity types the workflow scheduled, in order, from its history. */
async function scheduledActivities(payment: Payment): Promise<string[]> {
  const { events } = await payment.handle.fetchHistory();
  return (events ?? []).flatMap((event) => {
    const name = event.activityTaskScheduledEventAttributes?.activityType?.name;
    return name ? [name] : [];
  });
}

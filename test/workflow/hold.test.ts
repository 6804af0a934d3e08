/**
 * The hold phase, from the outcome until the revoke window closes: NEEDS_ATTENTION waiting for a
 * person (past the window if need be), the check at close of a state reached in doubt and of every
 * resolution (agreeing or not), a revoke still pending when the window closes, and the revoke
 * update's answer when the payment goes to a person. Under the money rules
 * (../shared/spec/money-rules.md): no PAID from compensation (R2), a doubt arms the check at close
 * (R3), FAILED from "not found" is checked at close (R5), and every gateway state has a resolution,
 * recorded with the gateway's answer at close; SETTLED_OUTSIDE closes whatever the gateway says (R7).
 */
import { resolveSignal } from '../../workflows/definitions';
import type { PaymentStatus, ResolveRequest } from '../../workflows/types';
import {
  HOUR,
  MINUTE,
  PRODUCTION_CANCEL_DELAYS,
  PRODUCTION_CONFIRM,
  SECOND,
  expectAround,
  expectCalls,
  noAnswer,
  numbered,
  order,
  orderNotFound,
  paySuccess,
  refused,
  resolution,
  reversed,
  revokeBySignal,
  revokeByUpdate,
  stepTimes,
  steps,
  useSagaEnvironment,
  type Answer,
  type Operation,
  type Payment,
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
const CANCEL_REFUSED = 'cancel refused by the gateway: UPAY_CANCEL_INVALID_ORDER_STATE';

/**
 * A payment that goes to a person at ~40 s (its cancel refused), then gets these query answers:
 * `afterCancel` for the query that checks the cancel, then `later` (the checks at close, a revoke's look…).
 */
async function needingAttention(
  later: Answer[],
  extra: { revoke?: Answer[]; cancel?: Answer[] } = {},
): Promise<Payment> {
  const payment = await saga.start(
    {
      pay: [noAnswer()],
      query: [...confirmAnswers(), order('PAID'), ...later],
      cancel: extra.cancel ?? [refused()],
      revoke: extra.revoke,
    },
    { timing: TIMING },
  );
  await payment.advanceTo(45 * SECOND);
  const status = await payment.waitForState('NEEDS_ATTENTION');
  expect(status.escalation!.reason).toBe(CANCEL_REFUSED);
  return payment;
}

const CHECKED: Operation[] = [...UNCONFIRMED, 'cancel', 'query'];

async function resolve(payment: Payment, request: ResolveRequest): Promise<void> {
  await payment.handle.signal(resolveSignal, request);
}

/** Lets the window close and waits for the check at close to send the payment back to a person. */
async function backToAPerson(payment: Payment, calls: number): Promise<PaymentStatus> {
  const { startedAt } = await payment.status();
  if ((await saga.env.currentTimeMs()) < startedAt + W + MINUTE) await payment.advanceTo(W + MINUTE);
  return payment.waitFor((s) => s.state === 'NEEDS_ATTENTION' && s.calls.length === calls, 'NEEDS_ATTENTION again');
}

describe('R2: no PAID from compensation; what the check at close then sees', () => {
  it('a PAID found after a cancel is cancelled again on the schedule: CANCELED, checked once more when the window closes (the gateway agrees)', async () => {
    const payment = await saga.start(
      {
        pay: [noAnswer()],
        query: [...confirmAnswers(), order('PAID'), order('CANCELED')],
        cancel: [noAnswer(), reversed()],
      },
      { timing: TIMING },
    );
    const status = await payment.result();
    expectCalls(payment, status, [...UNCONFIRMED, 'cancel', 'query', 'cancel', 'query']);
    expect(steps(status)).toEqual([
      'pay 1',
      ...numbered('confirm-query', 8),
      'cancel 1',
      'cancel-check-query 1',
      'cancel 2',
      'close-check-query 1',
    ]);
    expect(status.state).toBe('CANCELED');
    expect(status.escalation).toBeUndefined();
    expectAround(payment.scheduledTimes(status).at(-1), W);
  });

  it('R5: FAILED after "not found" once no pay of ours can arrive; the gateway shows PAID at close (the pay landed after all) → NEEDS_ATTENTION; resolved PAID → checked again at once → closes PAID', async () => {
    // The pay is in doubt for 22 s: "not found" at 5 s … 20 s proves nothing, at 25 s it does.
    const payment = await saga.start(
      {
        pay: [noAnswer()],
        query: [orderNotFound(), orderNotFound(), orderNotFound(), orderNotFound(), orderNotFound(), order('PAID')],
      },
      { timing: { ...TIMING, requestDoubtMs: 22 * SECOND } },
    );
    await payment.advanceTo(30 * SECOND);
    expect((await payment.waitForState('FAILED')).escalation).toBeUndefined();
    const disputed = await backToAPerson(payment, 7);
    expect(steps(disputed).at(-1)).toBe('close-check-query 1');
    expect(disputed.escalation!.reason).toBe('order is PAID at the gateway at close, but the payment is FAILED');
    expectAround(disputed.escalation!.at - disputed.startedAt, W);

    await resolve(payment, resolution('PAID'));
    const status = await payment.result();
    expectCalls(payment, status, ['pay', 'query', 'query', 'query', 'query', 'query', 'query', 'query']);
    expect(steps(status).slice(-2)).toEqual(['close-check-query 1', 'close-check-query 1']);
    expect(status.state).toBe('PAID');
    expect(status.resolution).toMatchObject({ ...resolution('PAID'), gatewayAtClose: { orderStatus: 'PAID' } });
  });

  it('PAID after every cancel until the deadline: waited out (R3), NEEDS_ATTENTION with the revoke asked while CANCELING still PENDING; resolved PAID → the revoke runs, refused → PAID, checked at close', async () => {
    const payment = await saga.start(
      {
        pay: [noAnswer()],
        query: [...confirmAnswers(), order('PAID')],
        cancel: [revokeBySignal(noAnswer()), noAnswer()],
        revoke: [refused('UPAY_TCP_ORDER_NOT_REFUNDABLE')],
      },
      { timing: { ...TIMING, cancelDeadlineAfterMs: 50 * SECOND } },
    );
    // Cancels at 40 s and 45 s; the next (55 s) is past the deadline; the 45 s one may land until 105 s.
    await payment.advanceTo(110 * SECOND);
    const stuck = await payment.waitForState('NEEDS_ATTENTION');
    expect(stuck.escalation!.reason).toBe('no definite cancel answer before the cancel deadline');
    expect(stuck.revoke).toMatchObject({ status: 'PENDING', via: 'signal' });
    expect(steps(stuck).slice(UNCONFIRMED.length)).toEqual([
      'cancel 1',
      'cancel-check-query 1',
      'cancel 2',
      'cancel-check-query 2',
      ...numbered('cancel-check-query', 12, 3),
    ]);

    await payment.advanceTo(10 * MINUTE);
    await resolve(payment, resolution('PAID'));
    const status = await payment.result();
    expect(steps(status).slice(stuck.calls.length)).toEqual([
      'revoke-look-query 1',
      'revoke 1',
      'revoke-check-query 1',
      'close-check-query 1',
    ]);
    expect(status.state).toBe('PAID');
    expect(status.revoke).toMatchObject({ status: 'REFUSED', detail: 'UPAY_TCP_ORDER_NOT_REFUNDABLE' });
    expect(status.resolution).toMatchObject({ resolution: 'PAID', gatewayAtClose: { orderStatus: 'PAID' } });
    expectAround(stepTimes(status, 'close-check-query')[0], W);
  });

  it('a PAID found by a confirm query (no cancel sent) is not checked at close', async () => {
    const payment = await saga.start({ pay: [noAnswer()], query: [order('PAID')] }, { timing: TIMING });
    const status = await payment.result();
    expectCalls(payment, status, ['pay', 'query']);
    expect(status.state).toBe('PAID');
  });
});

describe('NEEDS_ATTENTION → resolve → check at close', () => {
  it('resolved within the window: the check waits for the window to close; agreeing → closes with the resolution', async () => {
    const payment = await needingAttention([order('PAY_CANCELED')]);
    await payment.advanceTo(10 * MINUTE);
    await resolve(payment, resolution('FAILED'));
    const status = await payment.result();
    expectCalls(payment, status, [...CHECKED, 'query']);
    expect(status.state).toBe('FAILED');
    expect(status.resolution).toMatchObject(resolution('FAILED'));
    expectAround(status.resolution!.resolvedAt - status.startedAt, 10 * MINUTE);
    expectAround(payment.scheduledTimes(status).at(-1), W);
    // The escalation that brought the person in stays on record.
    expect(status.escalation!.reason).toBe(CANCEL_REFUSED);
  });

  it('waits for a person past the window end; resolved then: checked at once, closes', async () => {
    const payment = await needingAttention([orderNotFound()]);
    await payment.advanceTo(W + HOUR);
    expect((await payment.status()).state).toBe('NEEDS_ATTENTION');
    await resolve(payment, resolution('FAILED'));
    const status = await payment.result();
    expectCalls(payment, status, [...CHECKED, 'query']);
    expect(status.state).toBe('FAILED');
    expectAround(payment.scheduledTimes(status).at(-1), W + HOUR);
    expectAround(status.settledAt! - status.startedAt, W + HOUR);
  });

  it.each([
    { resolution: 'PAID', gateway: 'PAID', answer: order('PAID') },
    { resolution: 'FAILED', gateway: 'PAY_CANCELED', answer: order('PAY_CANCELED') },
    { resolution: 'FAILED', gateway: 'not found', answer: orderNotFound() },
    { resolution: 'CANCELED', gateway: 'CANCELED', answer: order('CANCELED') },
    { resolution: 'CANCELED', gateway: 'REFUNDED', answer: order('REFUNDED') },
    { resolution: 'REVOKED', gateway: 'CANCELED', answer: order('CANCELED') },
  ] as const)('resolved $resolution, the gateway says $gateway at close: agreed, closes $resolution', async (row) => {
    const payment = await needingAttention([row.answer]);
    await resolve(payment, resolution(row.resolution));
    const status = await payment.result();
    expectCalls(payment, status, [...CHECKED, 'query']);
    expect(status.state).toBe(row.resolution);
  });

  it.each([
    { resolution: 'PAID', answer: order('CANCELED'), gateway: 'CANCELED' },
    { resolution: 'PAID', answer: orderNotFound(), gateway: 'NOT_FOUND' },
    { resolution: 'FAILED', answer: order('PAID'), gateway: 'PAID' },
    { resolution: 'CANCELED', answer: order('CREATED'), gateway: 'CREATED' },
    { resolution: 'REVOKED', answer: noAnswer(), gateway: 'unknown' },
  ] as const)(
    'resolved $resolution, the gateway says $gateway at close: back to a person',
    async ({ resolution: resolved, answer, gateway }) => {
      const payment = await needingAttention([answer]);
      await resolve(payment, resolution(resolved));
      const status = await backToAPerson(payment, 12);
      expectCalls(payment, status, [...CHECKED, 'query']);
      expect(status.escalation!.reason).toBe(
        `order is ${gateway} at the gateway at close, but the payment is ${resolved}`,
      );
      expectAround(status.escalation!.at - status.startedAt, W);
      expect(status.resolution).toMatchObject(resolution(resolved));
    },
  );

  it('after a disagreement, a second resolution is checked again (and may close)', async () => {
    const payment = await needingAttention([order('CANCELED'), order('CANCELED')]);
    await resolve(payment, resolution('PAID'));
    await backToAPerson(payment, 12);
    await resolve(payment, resolution('CANCELED'));
    const status = await payment.result();
    expectCalls(payment, status, [...CHECKED, 'query', 'query']);
    expect(status.state).toBe('CANCELED');
    expect(status.resolution).toMatchObject(resolution('CANCELED'));
  });
});

describe("R7: every escalation can be closed; the gateway's answer at close is kept beside the resolution", () => {
  const REFERENCE = 'SQB-TICKET-20261202-0042';

  it.each([
    { resolution: 'REFUNDED', answer: order('REFUNDED'), gateway: 'REFUNDED' },
    { resolution: 'PARTIAL_REFUNDED', answer: order('PARTIAL_REFUNDED'), gateway: 'PARTIAL_REFUNDED' },
    { resolution: 'FAILED', answer: orderNotFound(), gateway: 'UPAY_ORDER_NOT_EXISTS' },
  ] as const)(
    'resolved $resolution, the gateway says $gateway at close: agreed, closes $resolution with resolution.gatewayAtClose',
    async (row) => {
      const payment = await needingAttention([row.answer]);
      await resolve(payment, resolution(row.resolution));
      const status = await payment.result();
      expectCalls(payment, status, [...CHECKED, 'query']);
      expect(steps(status).at(-1)).toBe('close-check-query 1');
      expect(status.state).toBe(row.resolution);
      expect(status.resolution).toMatchObject({
        ...resolution(row.resolution),
        gatewayAtClose: { orderStatus: row.gateway },
      });
      expectAround(status.resolution!.gatewayAtClose!.at - status.startedAt, W);
      expect(status.escalation!.reason).toBe(CANCEL_REFUSED);
    },
  );

  it.each([
    { resolution: 'REFUNDED', answer: order('PARTIAL_REFUNDED'), gateway: 'PARTIAL_REFUNDED' },
    { resolution: 'REFUNDED', answer: order('PAID'), gateway: 'PAID' },
    { resolution: 'PARTIAL_REFUNDED', answer: order('REFUNDED'), gateway: 'REFUNDED' },
  ] as const)(
    "resolved $resolution, the gateway says $gateway at close: back to a person, the gateway's answer kept",
    async ({ resolution: resolved, answer, gateway }) => {
      const payment = await needingAttention([answer]);
      await resolve(payment, resolution(resolved));
      const status = await backToAPerson(payment, 12);
      expect(status.escalation!.reason).toBe(
        `order is ${gateway} at the gateway at close, but the payment is ${resolved}`,
      );
      expect(status.resolution).toMatchObject({ resolution: resolved, gatewayAtClose: { orderStatus: gateway } });
    },
  );

  it.each([
    { gateway: 'PAID', answer: order('PAID'), seen: 'PAID' },
    { gateway: 'CANCELED', answer: order('CANCELED'), seen: 'CANCELED' },
    { gateway: 'not found', answer: orderNotFound(), seen: 'UPAY_ORDER_NOT_EXISTS' },
    { gateway: 'no answer', answer: noAnswer(), seen: 'transport UND_ERR_HEADERS_TIMEOUT' },
  ])(
    'SETTLED_OUTSIDE (with a reference) closes whatever the gateway says at close ($gateway): never escalated again, its answer kept',
    async ({ answer, seen }) => {
      const payment = await needingAttention([answer]);
      await resolve(payment, resolution('SETTLED_OUTSIDE', REFERENCE));
      const status = await payment.result();
      expectCalls(payment, status, [...CHECKED, 'query']);
      expect(steps(status).at(-1)).toBe('close-check-query 1');
      expect(status.state).toBe('SETTLED_OUTSIDE');
      expect(status.resolution).toMatchObject({
        ...resolution('SETTLED_OUTSIDE', REFERENCE),
        gatewayAtClose: { orderStatus: seen },
      });
      expect(status.escalation!.reason).toBe(CANCEL_REFUSED);
      expectAround(status.settledAt! - status.startedAt, W);
    },
  );

  it('after a disagreement at close, SETTLED_OUTSIDE is checked at once and closes though the gateway still disagrees', async () => {
    const payment = await needingAttention([order('CANCELED')]);
    await resolve(payment, resolution('PAID'));
    await backToAPerson(payment, 12);
    await resolve(payment, resolution('SETTLED_OUTSIDE', REFERENCE));
    const status = await payment.result();
    expectCalls(payment, status, [...CHECKED, 'query', 'query']);
    expect(status.state).toBe('SETTLED_OUTSIDE');
    expect(status.resolution).toMatchObject({ reference: REFERENCE, gatewayAtClose: { orderStatus: 'CANCELED' } });
    expect(status.escalation!.reason).toBe('order is CANCELED at the gateway at close, but the payment is PAID');
  });
});

describe('a revoke pending when the payment is decided', () => {
  it('the window closes before the payment turns out PAID: REFUSED (the window closed before it could run)', async () => {
    // A payment at 23:59:30: its business day ends 30 s later, while it is still being confirmed.
    const payment = await saga.start(
      {
        pay: [noAnswer()],
        query: [revokeBySignal(order('CREATED')), ...Array.from({ length: 5 }, () => order('CREATED')), order('PAID')],
      },
      { timing: { ...TIMING, revokeWindowAfterMs: 30 * SECOND } },
    );
    const status = await payment.result();
    expectCalls(payment, status, ['pay', 'query', 'query', 'query', 'query', 'query', 'query', 'query']);
    expect(status.state).toBe('PAID');
    expect(status.revoke).toMatchObject({
      status: 'REFUSED',
      detail: 'the revoke window closed before it could run',
      via: 'signal',
    });
    expectAround(status.revoke!.requestedAt - status.startedAt, 5 * SECOND);
    expectAround(status.settledAt! - status.startedAt, 35 * SECOND);
  });

  it('the payment goes to a person: the update answers NEEDS_ATTENTION with the revoke PENDING; resolved PAID within the window, the revoke runs then', async () => {
    const payment = await saga.start(
      {
        pay: [noAnswer()],
        query: [
          revokeByUpdate(order('CREATED')),
          ...confirmAnswers().slice(1),
          order('PAID'),
          order('PAID'),
          order('CANCELED'),
        ],
        cancel: [refused()],
        revoke: [reversed()],
      },
      { timing: TIMING },
    );
    await payment.advanceTo(45 * SECOND);
    await payment.waitFor((s) => s.revoke !== undefined && s.state === 'NEEDS_ATTENTION', 'NEEDS_ATTENTION');
    expect(await payment.revokeUpdateResult()).toMatchObject({
      state: 'NEEDS_ATTENTION',
      revoke: { status: 'PENDING', via: 'update' },
    });

    await resolve(payment, resolution('PAID'));
    const status = await payment.result();
    // look, revoke; then at close the resolution is checked: REVOKED agrees with CANCELED.
    expectCalls(payment, status, [...CHECKED, 'query', 'revoke', 'query']);
    expect(status.state).toBe('REVOKED');
    expect(status.revoke).toMatchObject({ status: 'REVOKED', via: 'update' });
    expect(status.resolution!.resolution).toBe('PAID');
    expectAround(payment.scheduledTimes(status).at(-1), W);
  });

  it('the payment goes to a person and is resolved FAILED: NOT_NEEDED', async () => {
    const payment = await saga.start(
      {
        pay: [noAnswer()],
        query: [revokeBySignal(order('CREATED')), ...confirmAnswers().slice(1), order('PAID'), order('PAY_CANCELED')],
        cancel: [refused()],
      },
      { timing: TIMING },
    );
    await payment.advanceTo(45 * SECOND);
    await payment.waitForState('NEEDS_ATTENTION');
    await resolve(payment, resolution('FAILED'));
    const status = await payment.result();
    expectCalls(payment, status, [...CHECKED, 'query']);
    expect(status.state).toBe('FAILED');
    expect(status.revoke).toMatchObject({ status: 'NOT_NEEDED', detail: 'payment ended FAILED' });
  });

  it('the payment goes to a person and is resolved PAID only after the window: REFUSED, then checked at close', async () => {
    const payment = await saga.start(
      {
        pay: [noAnswer()],
        query: [revokeBySignal(order('CREATED')), ...confirmAnswers().slice(1), order('PAID'), order('PAID')],
        cancel: [refused()],
      },
      { timing: TIMING },
    );
    await payment.advanceTo(45 * SECOND);
    await payment.waitForState('NEEDS_ATTENTION');
    await payment.advanceTo(W + 10 * MINUTE);
    await resolve(payment, resolution('PAID'));
    const status = await payment.result();
    expectCalls(payment, status, [...CHECKED, 'query']);
    expect(status.state).toBe('PAID');
    expect(status.revoke).toMatchObject({ status: 'REFUSED', detail: 'the revoke window closed before it could run' });
  });

  it('a revoke that ends with a person: the update answers NEEDS_ATTENTION; resolved REVOKED and checked at close', async () => {
    const payment = await saga.start(
      {
        pay: [paySuccess()],
        query: [order('PAID'), order('REFUNDED'), order('REFUNDED')],
        revoke: [noAnswer()],
      },
      { timing: TIMING },
    );
    await payment.waitForState('PAID');
    await payment.advanceTo(10 * MINUTE);
    const update = await payment.startRevokeUpdate();
    expect(await update.result()).toMatchObject({ state: 'NEEDS_ATTENTION', revoke: { status: 'NEEDS_ATTENTION' } });
    await resolve(payment, resolution('REVOKED'));
    const status = await payment.result();
    // pay; look, revoke, its query (REFUNDED); the check at close (REFUNDED agrees with REVOKED).
    expectCalls(payment, status, ['pay', 'query', 'revoke', 'query', 'query']);
    expect(status.state).toBe('REVOKED');
    expect(status.revoke!.status).toBe('NEEDS_ATTENTION');
    expect(status.escalation!.reason).toBe('order REFUNDED at the gateway during revoke');
    expectAround(payment.scheduledTimes(status).at(-1), W);
  });
});

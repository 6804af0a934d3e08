import { PaymentsClient } from '../../../client/payments-client';
import type { PayScenario } from '../../../simulator';
import { paymentWorkflowId } from '../../../workflows/types';
import {
  RULE_TIMING,
  finalBooks,
  ordersUnder,
  ownOrder,
  postScenario,
  requestsAbout,
  sleep,
  startWorkerOn,
  watchStatus,
} from '../../helpers/money-rules';
import { expectConsistent, expectNoOneSidedAccount, newPayment, useSagaStack } from '../../helpers/saga-stack';

/**
 * Money rules R5, no request outlives the decision that gave it up: pay has a send deadline counted
 * from the payment's start (past it, pay is not sent and the payment ends FAILED "not sent"), and
 * "order not found" ends a payment FAILED only when no pay of ours can still arrive.
 */
describe('money rules R5: no request outlives the decision that gave it up', () => {
  const stack = useSagaStack();

  it('R5: a pay that missed its send deadline while no worker polled is never sent; the payment ends FAILED "not sent"', async () => {
    const PAY_SEND_DEADLINE_MS = 1_000;
    const request = newPayment({ timing: { ...RULE_TIMING, paySendDeadlineMs: PAY_SEND_DEADLINE_MS } });
    // Its own task queue, with no worker polling yet: the payment waits in Temporal past its deadline.
    const taskQueue = `${stack.taskQueue}-r5-late`;
    const payments = new PaymentsClient(stack.client, taskQueue);
    const paying = payments.pay(request, { waitMs: 30_000 });
    const handle = stack.client.workflow.getHandle(paymentWorkflowId(request.terminalSn, request.clientSn));
    let startedAt = 0;
    for (let i = 0; i < 50 && startedAt === 0; i++) {
      startedAt = await handle.describe().then(
        (d) => d.startTime.getTime(),
        () => 0,
      );
      if (startedAt === 0) await sleep(100);
    }
    expect(startedAt).toBeGreaterThan(0);
    await sleep(startedAt + PAY_SEND_DEADLINE_MS + 1_000 - Date.now());

    const worker = await startWorkerOn(taskQueue, stack.sim.url);
    try {
      const { status: told } = await paying;
      expect(told.state).toBe('FAILED');
      expect(Date.now()).toBeGreaterThan(told.timing.paySendDeadline!);
      expect(told.timing.paySendDeadline).toBe(told.startedAt + PAY_SEND_DEADLINE_MS);
      expect(told.calls).toHaveLength(1);
      expect(told.calls[0]).toMatchObject({ step: 'pay', kind: 'definite_failure' });
      expect(told.calls[0]!.reason).toMatch(/^not sent/);

      const final = await payments.result(request);
      expect(final.state).toBe('FAILED');
      expect(final.calls.map((c) => c.operation)).toEqual(['pay']);

      // The gateway never saw it: no pay in the request log, no order, nothing kept.
      const books = await finalBooks(stack.sim);
      expect(requestsAbout(books, request.clientSn)).toEqual([]);
      expect(books.counters.pay_calls_by_client_sn[request.clientSn]).toBeUndefined();
      expect(ordersUnder(books, request.clientSn)).toEqual([]);
      expectNoOneSidedAccount(stack.sim, final);
    } finally {
      await worker.stop();
    }
  });

  /** The pay reaches the gateway's books this long after it arrived; the client gives up after 2 s. */
  const LATE_MS = 4_000;

  /**
   * The third row is pay-doubt-from-send: the doubt (3 s) is shorter than the pay's late landing (4 s), so
   * counted from pay's start it would have ended FAILED on a "not found" before the pay landed; counted from
   * the last moment pay could have left (its answer, the client giving up after 2 s) it outlives the landing.
   */
  it.each<[string, number, 'PAID' | 'CANCELED', number]>([
    ['during the confirm window: PAID', 8_000, 'PAID', LATE_MS + 3_000],
    ['after the confirm window, during compensation: CANCELED', 1_000, 'CANCELED', LATE_MS + 3_000],
    ["with a doubt shorter than the landing, counted from pay's answer: PAID", 8_000, 'PAID', LATE_MS - 1_000],
  ])(
    'R5: "order not found" is not final while a pay of ours can still arrive; a held pay books late, %s, never FAILED',
    async (_, confirmWindowMs, expected, requestDoubtMs) => {
      const timing = { ...RULE_TIMING, confirmWindowMs, requestDoubtMs, revokeWindowAfterMs: 6_000 };
      const request = newPayment({ timing });
      await postScenario(stack.sim, request.clientSn, { pay: { lateMs: LATE_MS } });
      const watch = watchStatus(stack.payments, request);

      const { status: told } = await stack.payments.pay(request, { waitMs: 30_000 });
      expect(told.state).toBe(expected);
      const final = await stack.payments.result(request);
      const seen = await watch.stop();
      expect(final.state).toBe(expected);
      expect(seen.map((s) => s.state)).not.toContain('FAILED');

      // The client gave up on pay; queries said "not found" while the pay was held, and none of them ended it.
      expect(final.calls[0]).toMatchObject({ step: 'pay', kind: 'unknown' });
      const notFound = final.calls.filter((c) => c.errorCode === 'UPAY_ORDER_NOT_EXISTS');
      expect(notFound.length).toBeGreaterThanOrEqual(1);
      expect(notFound.every((c) => c.at < final.calls[0]!.at + LATE_MS)).toBe(true);
      // A short doubt: "not found" was still answered after the doubt counted from pay's start had ended.
      if (requestDoubtMs < LATE_MS) expect(notFound.at(-1)!.at).toBeGreaterThan(told.startedAt + requestDoubtMs);

      // The books once the late pay has landed: captured after the client gave up, then kept or reversed once.
      const books = await finalBooks(stack.sim);
      const order = ownOrder(books, request)!;
      expect(order.history[0]).toMatchObject({ cause: 'pay' });
      expect(order.created_at - told.startedAt).toBeGreaterThanOrEqual(LATE_MS - 500);
      expect(order.created_at).toBeGreaterThan(final.calls[0]!.at);
      expect(books.counters.pay_calls_by_client_sn[request.clientSn]).toBe(1);
      if (expected === 'PAID') {
        expect(order).toMatchObject({ order_status: 'PAID', kept_fen: request.amountFen });
      } else {
        expect(order).toMatchObject({ order_status: 'CANCELED', kept_fen: 0 });
        expect(order.movements.map((m) => m.kind)).toEqual(['capture', 'reversal']);
        expect(books.counters.reversals_by_sn[order.sn]).toBe(1);
      }
      expectNoOneSidedAccount(stack.sim, final);
      await expectConsistent(stack, final);
    },
  );

  it('R5: a pay that never reached the books ends FAILED, but only once it can no longer arrive', async () => {
    const DOUBT_MS = 3_000;
    const request = newPayment({ timing: { ...RULE_TIMING, confirmWindowMs: 8_000, requestDoubtMs: DOUBT_MS } });
    const pay: PayScenario = { fault: 'reset', commit: false };
    await postScenario(stack.sim, request.clientSn, { pay });

    const { status: told } = await stack.payments.pay(request, { waitMs: 30_000 });
    expect(told.state).toBe('FAILED');
    const confirms = told.calls.filter((c) => c.step === 'confirm-query');
    expect(confirms.length).toBeGreaterThanOrEqual(2);
    expect(confirms.every((c) => c.errorCode === 'UPAY_ORDER_NOT_EXISTS')).toBe(true);
    // Not found at once, but FAILED only on a query made after the pay's doubt had ended.
    expect(confirms.at(-1)!.at).toBeGreaterThanOrEqual(told.startedAt + DOUBT_MS);

    const final = await stack.payments.result(request);
    expect(final.state).toBe('FAILED');
    const books = await finalBooks(stack.sim);
    expect(ordersUnder(books, request.clientSn)).toEqual([]);
    expect(requestsAbout(books, request.clientSn, 'pay')).toMatchObject([{ http_status: 0, fault: 'reset' }]);
    expectNoOneSidedAccount(stack.sim, final);
    await expectConsistent(stack, final);
  });
});

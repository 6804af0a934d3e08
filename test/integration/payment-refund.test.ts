import { RefundsClient } from '../../client/refunds-client';
import type { RefundRequest, RefundTimingOverrides } from '../../workflows/refund-types';
import type { PaymentRequest, PaymentStatus } from '../../workflows/types';
import { UPAY_TCP_ORDER_NOT_REFUNDABLE } from '../../simulator';
import { RULE_TIMING, finalBooks, ownOrder, requestsAbout } from '../helpers/money-rules';
import { newPayment, useSagaStack, waitForStatus } from '../helpers/saga-stack';

/**
 * Issue #16 part 3, "the payment knows", end to end: the real dev server, worker and simulator over
 * HTTP. A refund of a payment whose workflow is still open (same day) is told to it; its check at close
 * expects PARTIAL_REFUNDED / REFUNDED with net_amount = paid − refunded, and a revoke after a refund is
 * refused without being sent. Lean: the three payments run at once, each closing a few seconds after it
 * was paid (the money-rules test timing).
 */
describe('a refund of an open payment is recorded on it (issue #16 part 3)', () => {
  const stack = useSagaStack();
  let refunds: RefundsClient;
  beforeAll(() => {
    refunds = new RefundsClient(stack.client, stack.taskQueue);
  });

  // Open long enough that a refund slowed by load still reaches its payment before the payment closes.
  const timing = { ...RULE_TIMING, revokeWindowAfterMs: 10_000 };
  const REFUND_TIMING: RefundTimingOverrides = {
    retryDelaysMs: [1_000],
    deadlineAfterMs: 4_000,
    requestDoubtMs: 1_000,
    checkIntervalMs: 300,
  };

  function refundOf(payment: PaymentRequest, amountFen: number): RefundRequest {
    return {
      terminalSn: payment.terminalSn,
      clientSn: payment.clientSn,
      refundRequestNo: `R${payment.clientSn.slice(-12)}`,
      amountFen,
      operator: 'returns-desk-1',
      reason: 'customer returned the goods',
      timing: REFUND_TIMING,
    };
  }

  /** Pays 1234 fen, then refunds `amountFen` the same day, while the payment's workflow is open. */
  async function paidThenRefunded(amountFen: number) {
    const payment = newPayment({ timing });
    const paid = await stack.payments.pay(payment);
    expect(paid.status.state).toBe('PAID');
    const refund = refundOf(payment, amountFen);
    expect((await refunds.refund(refund)).status.state).toBe('REFUNDED');
    const refunded = await refunds.result(refund); // the outcome is answered before the payment is told of it
    expect(refunded.payment?.notices.map((n) => [n.state, n.delivered])).toEqual([
      ['REFUNDING', true],
      ['REFUNDED', true],
    ]);
    return { payment, refund };
  }

  function expectClosedAgreeing(final: PaymentStatus, refundedFen: number, orderStatus: string) {
    expect(final.state).toBe('PAID');
    expect(final.escalation).toBeUndefined();
    const closeCheck = final.calls.filter((c) => c.step === 'close-check-query');
    expect(closeCheck).toHaveLength(1);
    expect(closeCheck[0]!.order).toMatchObject({ orderStatus, netAmountFen: 1234 - refundedFen });
  }

  it('partial refund, revoke after a refund, full refund: told, books agree at close, no revoke sent', async () => {
    const [partial, revoked, full] = await Promise.all([
      paidThenRefunded(500),
      paidThenRefunded(300),
      paidThenRefunded(1234),
    ]);

    // A revoke after a refund: refused without sending (the gateway forbids it), with the way to go.
    const revoke = await stack.payments.revoke(revoked.payment, { operator: 'ops-wang', reason: 'changed mind' });
    expect(revoke.revoke).toMatchObject({ status: 'REFUSED', detail: expect.stringMatching(/^refunded: use refund/) });
    expect(revoke.state).toBe('PAID');

    const [partialFinal, revokedFinal, fullFinal] = await Promise.all([
      stack.payments.result(partial.payment),
      stack.payments.result(revoked.payment),
      stack.payments.result(full.payment),
    ]);
    expect(partialFinal.refunds).toEqual([
      expect.objectContaining({ refundRequestNo: partial.refund.refundRequestNo, amountFen: 500, state: 'REFUNDED' }),
    ]);
    expectClosedAgreeing(partialFinal, 500, 'PARTIAL_REFUNDED');
    expectClosedAgreeing(revokedFinal, 300, 'PARTIAL_REFUNDED');
    expect(revokedFinal.calls.map((c) => c.step)).not.toContain('revoke');
    expect(revokedFinal.calls.map((c) => c.step)).not.toContain('revoke-look-query');
    expect(fullFinal.refunds).toEqual([expect.objectContaining({ amountFen: 1234, state: 'REFUNDED' })]);
    expectClosedAgreeing(fullFinal, 1234, 'REFUNDED');

    // The simulator's books: what each payment was told is what the gateway did; no revoke reached it.
    const books = await finalBooks(stack.sim);
    for (const [{ payment }, refundedFen, orderStatus] of [
      [partial, 500, 'PARTIAL_REFUNDED'],
      [revoked, 300, 'PARTIAL_REFUNDED'],
      [full, 1234, 'REFUNDED'],
    ] as const) {
      const order = ownOrder(books, payment);
      expect(order).toMatchObject({
        order_status: orderStatus,
        refunded_fen: refundedFen,
        kept_fen: 1234 - refundedFen,
      });
      expect(order!.movements.filter((m) => m.kind === 'refund')).toHaveLength(1);
      expect(requestsAbout(books, payment.clientSn, 'revoke')).toEqual([]);
      expect(requestsAbout(books, payment.clientSn, 'cancel')).toEqual([]);
    }
  }, 30_000);

  it('resolved "money kept, give it back": the payment starts the refund itself and closes once the gateway shows it', async () => {
    // Paid during compensation, the cancel refused: NEEDS_ATTENTION in about 2 s, the money kept.
    const payment = newPayment({ timing: { ...timing, confirmWindowMs: 200 } });
    stack.sim.setScenario(payment.clientSn, {
      pay: { result: 'PAY_IN_PROGRESS', settle: { to: 'PAID', afterQueries: 2 } },
      cancel: [UPAY_TCP_ORDER_NOT_REFUNDABLE],
    });
    await stack.payments.pay(payment);
    await waitForStatus(stack, payment, (s) => s.state === 'NEEDS_ATTENTION');
    const refundRequestNo = `G${payment.clientSn.slice(-12)}`;
    await stack.payments.resolve(payment, {
      operator: 'ops-lead',
      resolution: 'PAID',
      note: 'customer kept nothing: give it back',
      refund: { refundRequestNo, amountFen: 1234 },
    });

    const final = await stack.payments.result(payment);
    expect(final.state).toBe('PAID');
    expect(final.resolution?.refundStarted).toMatchObject({ state: 'REFUNDED' });
    expect(final.refunds).toEqual([expect.objectContaining({ refundRequestNo, amountFen: 1234, state: 'REFUNDED' })]);
    expect(final.resolution?.gatewayAtClose?.orderStatus).toBe('REFUNDED');
    expect(final.calls.at(-1)).toMatchObject({ step: 'close-check-query', order: { orderStatus: 'REFUNDED' } });

    const order = ownOrder(await finalBooks(stack.sim), payment);
    expect(order).toMatchObject({ order_status: 'REFUNDED', refunded_fen: 1234, kept_fen: 0 });
    expect(order!.refunds.map((r) => r.refund_request_no)).toEqual([refundRequestNo]);
  }, 30_000);
});

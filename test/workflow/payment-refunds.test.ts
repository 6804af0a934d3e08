/**
 * Issue #16 part 3, "the payment knows", on virtual time: a refund of the open payment is told to it
 * (the refundRecorded signal, sent here as a refund workflow sends it), a revoke after it is refused
 * unsent, a refund in flight at close is waited for (then a person), and the check at close expects
 * the refunds told: PARTIAL_REFUNDED / REFUNDED with net_amount = paid − refunded (R7: a refund it was
 * not told of stays a disagreement).
 */
import { refundRecordedSignal } from '../../workflows/definitions';
import type { RefundNotice } from '../../workflows/types';
import {
  AMOUNT_FEN,
  HOUR,
  MINUTE,
  PRODUCTION_CANCEL_DELAYS,
  PRODUCTION_CONFIRM,
  expectAround,
  expectCalls,
  order,
  paySuccess,
  stepTimes,
  useSagaEnvironment,
  type Answer,
  type Payment,
  type Script,
} from './harness';

const saga = useSagaEnvironment();

/** Payments start at 21:58 Shanghai time (harness.ts): the revoke window closes W after the start. */
const W = 2 * HOUR;
const TIMING = {
  ...PRODUCTION_CONFIRM,
  cancelDelaysMs: PRODUCTION_CANCEL_DELAYS,
  cancelDeadlineAfterMs: W,
  revokeWindowAfterMs: W,
};
/** How long the check at close waits for a refund in flight (workflows/payment-refunds.ts). */
const REFUND_WAIT = 2 * HOUR;

/** query: the order as the gateway shows it after refunds, with its net_amount. */
const refundedOrder =
  (orderStatus: 'PARTIAL_REFUNDED' | 'REFUNDED', netAmountFen: number): Answer =>
  async (ctx) => {
    const answer = await order(orderStatus)(ctx);
    return { ...answer, order: { ...answer.order!, netAmountFen } };
  };

async function paid(script: Omit<Script, 'pay'>): Promise<Payment> {
  const payment = await saga.start({ pay: [paySuccess()], ...script }, { timing: TIMING });
  await payment.waitForState('PAID');
  return payment;
}

const R1 = (state: RefundNotice['state'], amountFen = 300): RefundNotice => ({
  refundRequestNo: 'R1',
  amountFen,
  state,
});

async function tell(payment: Payment, notice: RefundNotice): Promise<void> {
  await payment.handle.signal(refundRecordedSignal, notice);
  await payment.waitFor(
    (s) => s.refunds?.some((r) => r.refundRequestNo === notice.refundRequestNo && r.state === notice.state) ?? false,
    `refund ${notice.refundRequestNo} ${notice.state} recorded`,
  );
}

describe('the payment knows its refunds (issue #16 part 3)', () => {
  it('a revoke after a refund told of is REFUSED unsent; at close the gateway shows the refund: PAID, no escalation', async () => {
    const payment = await paid({ query: [refundedOrder('PARTIAL_REFUNDED', AMOUNT_FEN - 300)] });
    await tell(payment, R1('REFUNDING'));
    const update = await payment.startRevokeUpdate();
    const revoke = await update.result();
    expect(revoke.state).toBe('PAID');
    expect(revoke.revoke).toMatchObject({
      status: 'REFUSED',
      detail: 'refunded: use refund (refund R1 REFUNDING); no revoke sent',
    });
    await tell(payment, R1('REFUNDED'));

    const status = await payment.result();
    expect(status.state).toBe('PAID');
    expect(status.escalation).toBeUndefined();
    expect(status.refunds).toEqual([
      expect.objectContaining({ refundRequestNo: 'R1', amountFen: 300, state: 'REFUNDED' }),
    ]);
    expectCalls(payment, status, ['pay', 'query']); // no revoke, no look: only the check at close
    expectAround(stepTimes(status, 'close-check-query')[0], W);
  });

  it('a full refund told of: the check at close expects REFUNDED, net 0', async () => {
    const payment = await paid({ query: [refundedOrder('REFUNDED', 0)] });
    await tell(payment, R1('REFUNDING', AMOUNT_FEN));
    await tell(payment, R1('REFUNDED', AMOUNT_FEN));
    const status = await payment.result();
    expect(status.state).toBe('PAID');
    expect(status.escalation).toBeUndefined();
    expect(status.calls.at(-1)).toMatchObject({ step: 'close-check-query', order: { orderStatus: 'REFUNDED' } });
  });

  it('a refund in flight at close is waited for: the check runs once it concludes', async () => {
    const payment = await paid({ query: [refundedOrder('PARTIAL_REFUNDED', AMOUNT_FEN - 300)] });
    await tell(payment, R1('REFUNDING'));
    await payment.advanceTo(W + 10 * MINUTE);
    expect(payment.operations()).toEqual(['pay']); // nothing asked while the refund may still move the books
    await tell(payment, R1('REFUNDED'));
    const status = await payment.result();
    expect(status.state).toBe('PAID');
    expectCalls(payment, status, ['pay', 'query']);
    expectAround(stepTimes(status, 'close-check-query')[0], W + 10 * MINUTE);
  });

  it('a refund that does not conclude within the wait at close goes to a person, named', async () => {
    const payment = await paid({});
    await tell(payment, R1('REFUNDING'));
    await payment.advanceTo(W + REFUND_WAIT + MINUTE);
    const status = await payment.waitForState('NEEDS_ATTENTION');
    expect(status.escalation?.reason).toBe(
      'refund R1 ¥3.00 REFUNDING had not concluded 120 min after the revoke window closed: the books may still change; see the refund workflow, then resolve',
    );
    expect(payment.operations()).toEqual(['pay']);
  });

  it('R7: a refund the payment was not told of shows at close as a smaller net_amount: a person, with both facts', async () => {
    const payment = await paid({ query: [refundedOrder('PARTIAL_REFUNDED', AMOUNT_FEN - 500)] });
    await tell(payment, R1('REFUNDED'));
    await payment.advanceTo(W + MINUTE);
    const status = await payment.waitForState('NEEDS_ATTENTION');
    expect(status.escalation?.reason).toBe(
      'order is PARTIAL_REFUNDED (net ¥7.50) at the gateway at close, but the payment is PAID with ¥3.00 refunded by ' +
        'the refunds it was told of (PARTIAL_REFUNDED, net ¥9.50 expected; refunds told: R1 ¥3.00 REFUNDED)',
    );
  });

  it("the revoke's look shows a refund nobody told of: REFUSED unsent, and the check at close disagrees (R7)", async () => {
    const payment = await paid({ query: [refundedOrder('PARTIAL_REFUNDED', AMOUNT_FEN - 200)] });
    const update = await payment.startRevokeUpdate();
    const revoke = await update.result();
    expect(revoke.revoke).toMatchObject({
      status: 'REFUSED',
      detail: 'refunded: use refund (the look shows the order PARTIAL_REFUNDED); no revoke sent',
    });
    expect(revoke.state).toBe('PAID');
    await payment.advanceTo(W + MINUTE);
    const status = await payment.waitForState('NEEDS_ATTENTION');
    expect(payment.operations()).toEqual(['pay', 'query', 'query']); // the look, the check at close; no revoke
    expect(status.escalation?.reason).toBe(
      'order is PARTIAL_REFUNDED at the gateway at close, but the payment is PAID',
    );
  });

  it('a refund that moved nothing (REFUSED) forbids no revoke, and the close expects PAID', async () => {
    const payment = await paid({ query: [order('PAID')] });
    await tell(payment, R1('REFUNDING'));
    await tell(payment, R1('REFUSED'));
    const status = await payment.result();
    expect(status.state).toBe('PAID');
    expect(status.escalation).toBeUndefined();
    expectCalls(payment, status, ['pay', 'query']);
  });

  it('a malformed notice is ignored, named', async () => {
    const payment = await paid({});
    await payment.handle.signal(refundRecordedSignal, { refundRequestNo: 'R1', amountFen: -1, state: 'REFUNDED' });
    const status = await payment.waitFor((s) => s.ignored.length > 0, 'the notice ignored');
    expect(status.ignored[0]).toMatchObject({ name: 'refund', why: 'amountFen: a positive integer' });
    expect(status.refunds).toBeUndefined();
  });
});

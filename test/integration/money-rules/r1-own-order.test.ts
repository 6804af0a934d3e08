import { RefundsClient } from '../../../client/refunds-client';
import { SIBLING_TERMINAL_SN, type EchoMismatch } from '../../../simulator';
import type { RefundRequest } from '../../../workflows/refund-types';
import { paymentWorkflowId, type PaymentStatus } from '../../../workflows/types';
import {
  RULE_TIMING,
  finalBooks,
  ordersUnder,
  ownOrder,
  postScenario,
  requestsAbout,
  sleep,
  statesSeen,
  terminateIfOpen,
  watchStatus,
} from '../../helpers/money-rules';
import { TERMINAL_SN, expectNoOneSidedAccount, newPayment, useSagaStack } from '../../helpers/saga-stack';

/**
 * Money rules R1, only our own order counts: an answer counts for this payment only if its order is
 * this payment's (client_sn, terminal_sn, total_amount). CLIENT_SN_CONFLICT means our pay created
 * nothing; an order of another amount under that client_sn is never adopted and never reversed, and a
 * person gets both orders' facts.
 */
describe('money rules R1: only our own order counts', () => {
  const stack = useSagaStack();
  // Each payment is left waiting for a person; the test ends it (afterEach runs before the stack stops).
  const opened: { terminalSn: string; clientSn: string }[] = [];
  afterEach(async () => {
    for (const ref of opened.splice(0))
      await terminateIfOpen(stack.client, ref, 'money-rules R1 test: left for a person');
  });

  /** Our payment is ¥12.34 (newPayment); the order already under its client_sn is ¥0.01. */
  const THEIR_AMOUNT = '1';

  async function expectNobodyTouchedTheirOrder(clientSn: string, theirTerminal: string, theirStatus: string) {
    const books = await finalBooks(stack.sim);
    const orders = ordersUnder(books, clientSn);
    // Our pay created nothing: the only order under the client_sn is theirs, as it was made.
    expect(orders).toHaveLength(1);
    const theirs = orders[0]!;
    expect(theirs).toMatchObject({ terminal_sn: theirTerminal, total_amount: THEIR_AMOUNT, order_status: theirStatus });
    expect(theirs.reversed_fen).toBe(0);
    expect(theirs.history.map((h) => h.cause)).not.toContain('cancel');
    expect(theirs.history.map((h) => h.cause)).not.toContain('revoke');
    expect(books.counters.reversals_by_sn[theirs.sn]).toBeUndefined();
    // Nothing reversal-like was ever sent for that client_sn or that sn; one pay, answered CLIENT_SN_CONFLICT.
    expect(requestsAbout(books, clientSn, 'cancel')).toEqual([]);
    expect(requestsAbout(books, clientSn, 'revoke')).toEqual([]);
    const pays = requestsAbout(books, clientSn, 'pay');
    expect(pays.map((r) => r.error_code)).toEqual(['CLIENT_SN_CONFLICT']);
    expect(books.counters.pay_calls_by_client_sn[clientSn]).toBe(1);
    return { books, theirs };
  }

  function expectBothOrdersFacts(status: PaymentStatus, theirSn: string, theirTerminal: string, theirStatus: string) {
    const reason = status.escalation?.reason ?? '';
    // Theirs: sn, terminal, amount, status.
    expect(reason).toContain(theirSn);
    expect(reason).toContain(theirTerminal);
    expect(reason).toContain('¥0.01');
    expect(reason).toContain(theirStatus);
    // Ours: client_sn, terminal, amount.
    expect(reason).toContain(status.clientSn);
    expect(reason).toContain(TERMINAL_SN);
    expect(reason).toContain('¥12.34');
    // The other order's sn is never taken as ours.
    expect(status.sn).toBeUndefined();
  }

  it('R1: CLIENT_SN_CONFLICT with a PAID order of another amount: never PAID, nothing cancelled, a person has both orders', async () => {
    const request = newPayment({ timing: RULE_TIMING });
    opened.push(request);
    await postScenario(stack.sim, request.clientSn, {
      existingOrder: { sameTerminal: true, totalAmount: THEIR_AMOUNT, status: 'PAID' },
    });
    const watch = watchStatus(stack.payments, request);
    const { status: told, outcomeKnown } = await stack.payments.pay(request);

    // The checkout is told NEEDS_ATTENTION, not PAID.
    expect(outcomeKnown).toBe(true);
    expect(told.state).toBe('NEEDS_ATTENTION');
    expect(told.calls[0]).toMatchObject({ operation: 'pay', errorCode: 'CLIENT_SN_CONFLICT' });
    expect(told.calls.map((c) => c.operation)).not.toContain('cancel');

    // Past the confirm window and the revoke window, it still waits for a person and has sent nothing more.
    await sleep(RULE_TIMING.revokeWindowAfterMs + 500 - (Date.now() - told.startedAt));
    const seen = await watch.stop();
    const status = await stack.payments.status(request);
    expect(status.state).toBe('NEEDS_ATTENTION');
    expect(seen.map((s) => s.state)).not.toContain('PAID');
    expect(statesSeen(seen)).toEqual(expect.arrayContaining(['NEEDS_ATTENTION']));
    const handle = stack.client.workflow.getHandle(paymentWorkflowId(request.terminalSn, request.clientSn));
    expect((await handle.describe()).status.name).toBe('RUNNING');
    expect(status.calls.map((c) => c.operation)).not.toContain('cancel');
    expect(status.calls.map((c) => c.operation)).not.toContain('revoke');

    const { books, theirs } = await expectNobodyTouchedTheirOrder(request.clientSn, TERMINAL_SN, 'PAID');
    expect(theirs.kept_fen).toBe(1);
    expectBothOrdersFacts(status, theirs.sn, TERMINAL_SN, 'PAID');
    expect(books.counters.captures_by_client_sn[request.clientSn]).toBe(1); // theirs, once
    expectNoOneSidedAccount(stack.sim, status);
  });

  it('R1: CLIENT_SN_CONFLICT with an order of another amount still in progress until the confirm window ends: never PAID, nothing cancelled, a person has both orders', async () => {
    const request = newPayment({ timing: RULE_TIMING });
    opened.push(request);
    // A sibling terminal's order, CREATED through the whole confirm window; its customer pays later.
    const settlesAfterMs = RULE_TIMING.confirmWindowMs + 2_500;
    await postScenario(stack.sim, request.clientSn, {
      existingOrder: {
        totalAmount: THEIR_AMOUNT,
        status: 'CREATED',
        settle: { to: 'PAID', afterMs: settlesAfterMs },
      },
    });
    const watch = watchStatus(stack.payments, request);
    const { status: told } = await stack.payments.pay(request);
    expect(told.state).toBe('NEEDS_ATTENTION');
    expect(told.calls[0]).toMatchObject({ operation: 'pay', errorCode: 'CLIENT_SN_CONFLICT' });

    // The other order settles PAID after our confirm window; the revoke window closes; still a person's.
    await sleep(Math.max(settlesAfterMs, RULE_TIMING.revokeWindowAfterMs) + 500 - (Date.now() - told.startedAt));
    const seen = await watch.stop();
    const status = await stack.payments.status(request);
    expect(status.state).toBe('NEEDS_ATTENTION');
    expect(seen.map((s) => s.state)).not.toContain('PAID');
    expect(seen.map((s) => s.state)).not.toContain('CANCELING');
    expect(status.calls.map((c) => c.operation)).not.toContain('cancel');

    const { theirs } = await expectNobodyTouchedTheirOrder(request.clientSn, SIBLING_TERMINAL_SN, 'PAID');
    expect(theirs.history.map((h) => h.cause)).toContain('settle');
    expect(theirs.kept_fen).toBe(1);
    // Its facts as the saga saw them: CREATED, on the sibling terminal, ¥0.01.
    expectBothOrdersFacts(status, theirs.sn, SIBLING_TERMINAL_SN, 'CREATED');
    expectNoOneSidedAccount(stack.sim, status);
  });

  it.each([
    ['another amount', { totalAmount: '1' }, '¥0.01'],
    ['another terminal', { terminalSn: SIBLING_TERMINAL_SN }, SIBLING_TERMINAL_SN],
  ])(
    'R1: an answer echoing %s (echoMismatch) is not counted: never PAID, nothing reversed, a person has both',
    async (_, echo, theirFact) => {
      const request = newPayment({ timing: RULE_TIMING });
      opened.push(request);
      // Our own order is paid at the gateway, but every answer about it describes another order.
      await postScenario(stack.sim, request.clientSn, { echoMismatch: echo });
      const watch = watchStatus(stack.payments, request);
      const { status: told } = await stack.payments.pay(request);
      expect(told.state).toBe('NEEDS_ATTENTION');
      expect(told.calls[0]).toMatchObject({ operation: 'pay', kind: 'success' });

      await sleep(RULE_TIMING.revokeWindowAfterMs + 500 - (Date.now() - told.startedAt));
      const seen = await watch.stop();
      const status = await stack.payments.status(request);
      expect(status.state).toBe('NEEDS_ATTENTION');
      expect(seen.map((s) => s.state)).not.toContain('PAID');
      expect(status.sn).toBeUndefined(); // the echoed order's sn is not adopted
      expect(status.escalation?.reason).toContain(theirFact);
      expect(status.escalation?.reason).toContain('¥12.34');
      expect(status.escalation?.reason).toContain(TERMINAL_SN);

      // The gateway kept our money on our own order (a person has it); nothing was reversed or re-paid.
      const books = await finalBooks(stack.sim);
      const orders = ordersUnder(books, request.clientSn);
      expect(orders).toHaveLength(1);
      expect(orders[0]).toMatchObject({ terminal_sn: TERMINAL_SN, total_amount: '1234', order_status: 'PAID' });
      expect(orders[0]!.kept_fen).toBe(1234);
      expect(requestsAbout(books, request.clientSn, 'cancel')).toEqual([]);
      expect(requestsAbout(books, request.clientSn, 'revoke')).toEqual([]);
      expect(books.counters.pay_calls_by_client_sn[request.clientSn]).toBe(1);
      expectNoOneSidedAccount(stack.sim, status);
    },
  );

  /**
   * On the refund path (and R7 there): an answer counts for a refund only if it names the refund's own
   * order; one about another order stops the refund and hands it to a person with both facts
   * (NEEDS_ATTENTION), never REFUNDED or REFUSED on its word, and no refund is sent for an order the look
   * did not prove ours. The person's resolution closes it (R7), and the books say what moved.
   */
  describe('on refunds: only our own order counts; the person it goes to can close it (R7)', () => {
    let counter = 0;

    async function paidWith(echoMismatch: EchoMismatch) {
      const payment = newPayment({ amountFen: 1000 });
      await postScenario(stack.sim, payment.clientSn, { echoMismatch }); // fixed when the order is made
      const { status } = await stack.payments.pay(payment);
      expect(status.state).toBe('PAID');
      counter += 1;
      const request: RefundRequest = {
        terminalSn: payment.terminalSn,
        clientSn: payment.clientSn,
        refundRequestNo: `R1R${Date.now().toString(36)}${counter}`.slice(0, 20),
        amountFen: 400,
        operator: 'returns-desk-1',
        timing: { retryDelaysMs: [1_000], deadlineAfterMs: 6_000, requestDoubtMs: 2_000, checkIntervalMs: 300 },
      };
      return { payment, request, refunds: new RefundsClient(stack.client, stack.taskQueue) };
    }

    it('R1: the look answers about another order: no refund sent, a person has both orders; resolved NOT_REFUNDED, the money stays', async () => {
      const { payment, request, refunds } = await paidWith({ endpoints: ['query'], clientSn: 'SOMEONE-ELSES-ORDER' });
      try {
        const { status } = await refunds.refund(request);
        expect(status.state).toBe('NEEDS_ATTENTION');
        expect(status.escalation?.reason).toMatch(/another order .*client_sn SOMEONE-ELSES-ORDER.*than this refund/);
        expect(status.calls.map((c) => c.step)).toEqual(['look-query']);

        const closed = await refunds.resolve(request, {
          operator: 'ops-lead',
          resolution: 'NOT_REFUNDED',
          note: 'support: that answer was about another order; nothing was refunded',
        });
        expect(closed).toMatchObject({ state: 'NOT_REFUNDED', resolution: { operator: 'ops-lead' } });

        const books = await finalBooks(stack.sim);
        expect(requestsAbout(books, payment.clientSn, 'refund')).toEqual([]);
        expect(ownOrder(books, payment)).toMatchObject({ order_status: 'PAID', kept_fen: 1000, refunded_fen: 0 });
      } finally {
        await terminateIfOpen(stack.client, payment, 'R1 refund test: the payment is not under test');
      }
    });

    it("R1: the refund's own answer names another order's total: not REFUNDED on its word, a person; resolved REFUNDED as the books show", async () => {
      const { payment, request, refunds } = await paidWith({ endpoints: ['refund'], totalAmount: '99999' });
      try {
        const { status } = await refunds.refund(request);
        expect(status.state).toBe('NEEDS_ATTENTION');
        expect(status.escalation?.reason).toMatch(/refund answer is about another order .*¥999\.99/);
        expect(status.calls.filter((c) => c.step === 'refund')).toHaveLength(1);

        const closed = await refunds.resolve(request, {
          operator: 'ops-lead',
          resolution: 'REFUNDED',
          note: 'support: ¥4.00 went back to the customer',
        });
        expect(closed).toMatchObject({ state: 'REFUNDED', resolution: { operator: 'ops-lead' } });

        // The gateway moved the money once, as the person found: one refund of 400, never a second.
        const books = await finalBooks(stack.sim);
        expect(requestsAbout(books, payment.clientSn, 'refund')).toHaveLength(1);
        const order = ownOrder(books, payment)!;
        expect(order).toMatchObject({ order_status: 'PARTIAL_REFUNDED', refunded_fen: 400, kept_fen: 600 });
        expect(order.movements.map((m) => m.kind)).toEqual(['capture', 'refund']);
      } finally {
        await terminateIfOpen(stack.client, payment, 'R1 refund test: the payment is not under test');
      }
    });
  });
});

import type { Scenario } from '../../../simulator';
import {
  RULE_TIMING,
  finalBooks,
  historyOf,
  ownOrder,
  postScenario,
  requestsAbout,
  statesSeen,
  watchStatus,
} from '../../helpers/money-rules';
import { expectConsistent, expectNoOneSidedAccount, newPayment, useSagaStack } from '../../helpers/saga-stack';

/**
 * Money rules R2, compensation finishes what it starts: once the saga has decided to cancel, a query
 * showing PAID means the reversal has not taken hold yet (or the customer paid late), so it cancels
 * again on the schedule. The checkout is never told PAID from the compensation phase.
 */
describe('money rules R2: compensation finishes what it starts', () => {
  const stack = useSagaStack();

  /** The reversal of the first cancel lands this long after it arrived. */
  const LANDS_AFTER_MS = 4_000;
  const timing = { ...RULE_TIMING, requestDoubtMs: LANDS_AFTER_MS + 2_000, revokeWindowAfterMs: 6_000 };

  it.each<[string, Scenario['cancel']]>([
    // Queries meanwhile show the order PAID; later cancels answer CANCEL_IN_PROGRESS (the default).
    ['queries show PAID meanwhile', [{ paidFirst: true, effectAfterMs: LANDS_AFTER_MS, reply: 'reset' }]],
    [
      'queries show CANCEL_INPROGRESS meanwhile',
      [{ paidFirst: true, effectAfterMs: LANDS_AFTER_MS, reply: 'reset', meanwhile: 'CANCEL_INPROGRESS' }],
    ],
  ])(
    'R2: the customer pays as the first cancel arrives, its answer is lost, its reversal lands seconds later (%s): never told PAID, ends CANCELED, books agree',
    async (_, cancel) => {
      const request = newPayment({ timing });
      await postScenario(stack.sim, request.clientSn, { pay: { result: 'PAY_IN_PROGRESS' }, cancel });
      const watch = watchStatus(stack.payments, request);

      // What the checkout is told: the early return.
      const { status: told, outcomeKnown } = await stack.payments.pay(request, { waitMs: 30_000 });
      expect(outcomeKnown).toBe(true);
      expect(told.state).toBe('CANCELED');

      const final = await stack.payments.result(request);
      const seen = await watch.stop();
      expect(final.state).toBe('CANCELED');
      // Every status poll, from start to close: never PAID.
      expect(seen.length).toBeGreaterThan(20);
      expect(seen.map((s) => s.state)).not.toContain('PAID');
      const order_ = ['PAYING', 'CONFIRMING', 'CANCELING', 'CANCELED'];
      const states = statesSeen(seen);
      expect(states).toContain('CANCELING');
      expect(states.at(-1)).toBe('CANCELED');
      expect([...states].sort((a, b) => order_.indexOf(a) - order_.indexOf(b))).toEqual(states);
      expect(states.every((s) => order_.includes(s))).toBe(true);

      // The saga saw PAID (or CANCEL_INPROGRESS) during compensation and cancelled again; the first
      // cancel's answer was lost.
      const cancels = final.calls.filter((c) => c.step === 'cancel');
      expect(cancels[0]).toMatchObject({ kind: 'unknown' });
      expect(cancels.length).toBeGreaterThanOrEqual(2);
      const checks = final.calls.filter((c) => c.step === 'cancel-check-query');
      expect(checks[0]?.order?.orderStatus).toMatch(/^(PAID|CANCEL_INPROGRESS)$/);

      // The books, once every delayed effect has landed: paid by the customer, reversed once by our cancel.
      const books = await finalBooks(stack.sim);
      const order = ownOrder(books, request)!;
      expect(order.order_status).toBe('CANCELED');
      expect(historyOf(order)).toEqual(expect.arrayContaining(['CREATED→PAID:customer-paid']));
      expect(order.history.at(-1)).toMatchObject({ to: 'CANCELED', cause: 'cancel' });
      expect(order.movements.map((m) => m.kind)).toEqual(['capture', 'reversal']);
      expect(order.kept_fen).toBe(0);
      expect(books.counters.reversals_by_sn[order.sn]).toBe(1);
      expect(books.counters.captures_by_client_sn[request.clientSn]).toBe(1);
      expect(requestsAbout(books, request.clientSn, 'pay')).toHaveLength(1);
      expect(requestsAbout(books, request.clientSn, 'revoke')).toEqual([]);
      // The reversal landed after the first cancel was sent, at its delay.
      const reversalAt = order.movements.find((m) => m.kind === 'reversal')!.at;
      expect(reversalAt - cancels[0]!.at).toBeGreaterThanOrEqual(LANDS_AFTER_MS - 500);
      expectNoOneSidedAccount(stack.sim, final);
      await expectConsistent(stack, final);
    },
  );
});

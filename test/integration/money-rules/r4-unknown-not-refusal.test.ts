import type { OddAnswer, PayScenario } from '../../../simulator';
import { RULE_TIMING, finalBooks, ownOrder, postScenario, requestsAbout, watchStatus } from '../../helpers/money-rules';
import { expectConsistent, expectNoOneSidedAccount, newPayment, useSagaStack } from '../../helpers/saga-stack';

/**
 * Money rules R4, unknown is not a refusal: only a code the reference lists as a refusal may end a
 * reversal. Any other code (an unlisted error code under FAIL, an unlisted result code, a top-level
 * code no table has) is unknown: the saga queries, then cancels again on the schedule.
 */
describe('money rules R4: unknown is not a refusal', () => {
  const stack = useSagaStack();

  const neverSettles: PayScenario = { result: 'PAY_IN_PROGRESS' };
  // The customer pays after the confirm window: the query after the odd cancel already sees PAID.
  const paidDuringCompensation: PayScenario = { result: 'PAY_IN_PROGRESS', settle: { to: 'PAID', afterQueries: 2 } };
  /** One confirm query (the window is shorter than an interval), so the 2nd query is the cancel's check. */
  const timing = { ...RULE_TIMING, confirmWindowMs: 200 };

  it.each<[string, OddAnswer, PayScenario]>([
    ['FAIL with an unlisted error code', { resultCode: 'FAIL', errorCode: 'UPAY_SIM_UNLISTED' }, neverSettles],
    ['FAIL with no error code', { resultCode: 'FAIL' }, neverSettles],
    [
      'CANCEL_ERROR with an unlisted error code',
      { resultCode: 'CANCEL_ERROR', errorCode: 'UPAY_SIM_UNLISTED' },
      neverSettles,
    ],
    ['an unlisted result code', { resultCode: 'CANCEL_WEIRD' }, neverSettles],
    ['an unlisted top-level code', { resultCode: '503', errorCode: 'UPAY_SIM_UNLISTED', topLevel: true }, neverSettles],
    [
      'FAIL with an unlisted error code (the order PAID meanwhile)',
      { resultCode: 'FAIL', errorCode: 'UPAY_SIM_UNLISTED' },
      paidDuringCompensation,
    ],
  ])(
    'R4: a cancel answered %s is not a refusal: the saga queries, cancels once more, ends CANCELED',
    async (_, odd, pay) => {
      const request = newPayment({ timing });
      await postScenario(stack.sim, request.clientSn, { pay, cancel: [{ odd }] });
      const watch = watchStatus(stack.payments, request);

      const { status: told } = await stack.payments.pay(request);
      expect(told.state).toBe('CANCELED');
      const final = await stack.payments.result(request);
      const seen = await watch.stop();
      expect(final.state).toBe('CANCELED');
      expect(final.escalation).toBeUndefined();
      expect(seen.map((s) => s.state)).not.toContain('NEEDS_ATTENTION');
      expect(seen.map((s) => s.state)).not.toContain('PAID');

      // The odd answer was read as unknown, checked by a query, and one more cancel settled it.
      const reversal = final.calls.filter((c) => c.step === 'cancel' || c.step === 'cancel-check-query');
      expect(reversal.map((c) => `${c.step}#${c.attempt}:${c.kind}`)).toEqual([
        'cancel#1:unknown',
        'cancel-check-query#1:' + (pay === neverSettles ? 'in_progress' : 'success'),
        'cancel#2:success',
      ]);
      expect(reversal[2]!.bizResultCode).toBe(pay === neverSettles ? 'CANCEL_ABORT_SUCCESS' : 'CANCEL_SUCCESS');

      // The books: the odd answer changed nothing; the second cancel reversed the order, once.
      const books = await finalBooks(stack.sim);
      const order = ownOrder(books, request)!;
      const cancels = requestsAbout(books, request.clientSn, 'cancel');
      expect(cancels).toHaveLength(2);
      expect(cancels[0]).toMatchObject(
        odd.topLevel ? { result_code: odd.resultCode } : { biz_result_code: odd.resultCode },
      );
      expect(order.kept_fen).toBe(0);
      if (pay === neverSettles) {
        expect(order.order_status).toBe('PAY_CANCELED');
        expect(order.movements).toEqual([]);
      } else {
        expect(order.order_status).toBe('CANCELED');
        expect(order.movements.map((m) => m.kind)).toEqual(['capture', 'reversal']);
        expect(books.counters.reversals_by_sn[order.sn]).toBe(1);
      }
      expectNoOneSidedAccount(stack.sim, final);
      await expectConsistent(stack, final);
    },
  );
});

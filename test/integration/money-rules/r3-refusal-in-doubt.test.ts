import { ARRIVAL_MARGIN_MS } from '../../../activities/gateway/timeouts';
import {
  RULE_TIMING,
  finalBooks,
  ownOrder,
  postScenario,
  requestsAbout,
  sleep,
  watchStatus,
} from '../../helpers/money-rules';
import { expectConsistent, expectNoOneSidedAccount, newPayment, useSagaStack } from '../../helpers/saga-stack';

/**
 * Money rules R3, a refusal proves nothing while an earlier attempt is in doubt: after a revoke whose
 * answer was lost, neither a later refusal nor a query showing PAID proves the money stayed, until
 * that attempt can no longer land. A revoke is reported REFUSED only when no attempt of it is in doubt.
 */
describe('money rules R3: a refusal proves nothing while an earlier attempt is in doubt', () => {
  const stack = useSagaStack();

  /** The first revoke's reversal lands this long after it arrived (the rule's 10–15 s). */
  const LANDS_AFTER_MS = 12_000;
  /** Longer than the slow reversal: until then a refusal or PAID proves nothing (the brief: ≥ 20 s). */
  const DOUBT_MS = 20_000;

  it.each([
    ['inside the revoke window', 16_000],
    ['after the revoke window closed', 6_000],
  ])(
    'R3: the first revoke is lost and lands 12 s later (%s), revokes in between refused, queries PAID: never closes PAID, the operator is never told refused',
    async (_, revokeWindowAfterMs) => {
      const timing = { ...RULE_TIMING, requestDoubtMs: DOUBT_MS, revokeWindowAfterMs, cancelDelaysMs: [1_000, 2_000] };
      const request = newPayment({ timing });
      await postScenario(stack.sim, request.clientSn, {
        revoke: [{ effectAfterMs: LANDS_AFTER_MS, reply: 'reset', othersMeanwhile: 'invalid-state' }],
      });
      const { status: told } = await stack.payments.pay(request);
      expect(told.state).toBe('PAID');

      const watch = watchStatus(stack.payments, request, 100);
      // What the operator is told: the revoke update's answer, once the revoke is decided.
      const answer = await stack.payments.revoke(request, { operator: 'ops-lead', reason: 'goods returned' });
      expect(answer.revoke.status).not.toBe('REFUSED');
      expect(answer).toMatchObject({ state: 'REVOKED', revoke: { status: 'REVOKED', operator: 'ops-lead' } });

      const final = await stack.payments.result(request);
      const seen = await watch.stop();
      expect(final.state).toBe('REVOKED');
      expect(final.revoke?.status).toBe('REVOKED');
      // Every status poll while the revoke ran: the revoke never REFUSED, the payment never back to PAID.
      expect(seen.map((s) => s.revoke?.status)).not.toContain('REFUSED');
      const firstRevoking = seen.findIndex((s) => s.state === 'REVOKING');
      expect(firstRevoking).toBeGreaterThanOrEqual(0);
      expect(seen.slice(firstRevoking).map((s) => s.state)).not.toContain('PAID');

      // What the saga met meanwhile: the first revoke lost, later ones refused, queries showing PAID.
      const revokes = final.calls.filter((c) => c.step === 'revoke');
      expect(revokes[0]).toMatchObject({ kind: 'unknown' });
      // Refused while the first was pending; once it had landed, a repeat finds nothing to do (NOOP).
      expect(revokes.filter((c) => c.errorCode === 'UPAY_CANCEL_INVALID_ORDER_STATE').length).toBeGreaterThanOrEqual(2);
      const repeats = revokes.slice(1).map((c) => c.errorCode);
      expect(repeats.filter((code) => !/^UPAY_CANCEL_(INVALID_ORDER_STATE|ORDER_NOOP)$/.test(code ?? ''))).toEqual([]);
      const checks = final.calls.filter((c) => c.step === 'revoke-check-query');
      expect(checks.filter((c) => c.order?.orderStatus === 'PAID').length).toBeGreaterThanOrEqual(2);
      expect(checks.at(-1)?.order?.orderStatus).toBe('CANCELED');
      // And once more before the workflow closed.
      expect(final.calls.at(-1)).toMatchObject({ step: 'close-check-query', order: { orderStatus: 'CANCELED' } });

      // The books once the slow reversal has landed: reversed once, by the first revoke, nothing kept.
      const books = await finalBooks(stack.sim);
      const order = ownOrder(books, request)!;
      expect(order.order_status).toBe('CANCELED');
      expect(order.kept_fen).toBe(0);
      expect(order.movements.map((m) => m.kind)).toEqual(['capture', 'reversal']);
      expect(order.history.at(-1)).toMatchObject({ to: 'CANCELED', cause: 'revoke' });
      expect(books.counters.reversals_by_sn[order.sn]).toBe(1);
      const sent = requestsAbout(books, request.clientSn, 'revoke');
      expect(sent[0]).toMatchObject({ http_status: 0, fault: 'reset' });
      const refused = sent.slice(1).filter((r) => r.error_code === 'UPAY_CANCEL_INVALID_ORDER_STATE');
      expect(refused.length).toBeGreaterThanOrEqual(1);
      expect(requestsAbout(books, request.clientSn, 'cancel')).toEqual([]);
      expect(order.movements[1]!.at - revokes[0]!.at).toBeGreaterThanOrEqual(LANDS_AFTER_MS - 1_000);
      expectNoOneSidedAccount(stack.sim, final);
      await expectConsistent(stack, final);
    },
  );

  /**
   * With R5's arrival margin (patch revoke-held-back-refused): a revoke asked so near the window's end that
   * it could not reach the gateway in time is held back by the worker (ARRIVAL_MARGIN_MS), so nothing of it
   * can still reverse the money and the operator is told REFUSED at once (not a person at the close); the
   * gateway never saw a revoke and the order keeps its money, as the payment says (PAID).
   */
  /** Long enough for the pay to settle on a loaded machine before the revoke is asked. */
  const WINDOW_MS = 6_000;

  it('R3: a revoke asked inside the last ARRIVAL_MARGIN_MS of the window is refused unsent; the payment closes PAID with the books', async () => {
    const request = newPayment({ timing: { ...RULE_TIMING, revokeWindowAfterMs: WINDOW_MS } });
    const { status: told } = await stack.payments.pay(request);
    expect(told.state).toBe('PAID');
    const windowEnd = told.timing.revokeWindowEnd;
    // Into the margin, with room before the end for the look and the revoke activity to run.
    const askAt = windowEnd - ARRIVAL_MARGIN_MS + 600;
    expect(Date.now()).toBeLessThan(askAt);
    await sleep(askAt - Date.now());

    const answer = await stack.payments.revoke(request, { operator: 'ops-lead', reason: 'goods returned' });
    expect(answer).toMatchObject({
      state: 'PAID',
      revoke: { status: 'REFUSED', detail: 'the revoke window closed before the revoke could be sent' },
    });

    const final = await stack.payments.result(request);
    expect(final.state).toBe('PAID');
    expect(final.revoke?.status).toBe('REFUSED');
    expect(final.escalation).toBeUndefined();
    const revokes = final.calls.filter((c) => c.step === 'revoke');
    expect(revokes).toHaveLength(1);
    expect(revokes[0]).toMatchObject({ kind: 'unknown', transportError: 'SEND_DEADLINE' });
    expect(revokes[0]!.reason).toMatch(/^not sent: the send deadline passed .*less 2000 ms to reach the gateway/);

    // The gateway: no revoke arrived, nothing else reversed it, the order kept the whole amount.
    const books = await finalBooks(stack.sim);
    expect(requestsAbout(books, request.clientSn, 'revoke')).toEqual([]);
    expect(requestsAbout(books, request.clientSn, 'cancel')).toEqual([]);
    const order = ownOrder(books, request)!;
    expect(order).toMatchObject({ order_status: 'PAID', kept_fen: request.amountFen });
    expect(order.movements.map((m) => m.kind)).toEqual(['capture']);
    expectNoOneSidedAccount(stack.sim, final);
    await expectConsistent(stack, final);
  });
});

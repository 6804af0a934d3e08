import { ARRIVAL_MARGIN_MS } from '../../../activities/gateway/timeouts';
import { RULE_TIMING, finalBooks, ownOrder, requestsAbout, sleep } from '../../helpers/money-rules';
import { expectConsistent, expectNoOneSidedAccount, newPayment, useSagaStack } from '../../helpers/saga-stack';

/**
 * Money rules R3 with R5's arrival margin, end to end (patch revoke-held-back-refused): a revoke asked
 * so near the revoke window's end that it could not reach the gateway in time is held back by the
 * worker (ARRIVAL_MARGIN_MS), so nothing of it can still reverse the money and the operator is told
 * REFUSED at once (not a person at the close); the gateway never saw a revoke and the order keeps its
 * money, as the payment says (PAID).
 */
describe("money rules R3: a revoke held back at the window's end is REFUSED, nothing sent", () => {
  const stack = useSagaStack();
  /** Long enough for the pay to settle on a loaded machine before the revoke is asked. */
  const WINDOW_MS = 10_000;

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

import { SIBLING_TERMINAL_SN, UPAY_TCP_ORDER_NOT_REFUNDABLE, type PayScenario } from '../../../simulator';
import { paymentWorkflowId, type ResolveRequest } from '../../../workflows/types';
import {
  RULE_TIMING,
  expectClosedConsistently,
  finalBooks,
  gatewayCall,
  ordersUnder,
  ownOrder,
  postScenario,
  requestsAbout,
  resolvedBookViolations,
} from '../../helpers/money-rules';
import { newPayment, useSagaStack, waitForStatus } from '../../helpers/saga-stack';

/**
 * Money rules R7, every escalation can be closed: for every state the gateway can report there is a
 * resolution that lets the payment close, recorded with the operator, the note and the gateway's
 * answer at close. "Settled outside the gateway" (with a reference) closes even when the gateway
 * disagrees; the disagreement stays visible.
 */
describe('money rules R7: every escalation can be closed', () => {
  const stack = useSagaStack();

  // One confirm query, then a cancel the gateway refuses (UPAY_TCP_ORDER_NOT_REFUNDABLE): NEEDS_ATTENTION in ~2 s.
  const timing = { ...RULE_TIMING, confirmWindowMs: 200, revokeWindowAfterMs: 3_000 };
  const paidDuringCompensation: PayScenario = { result: 'PAY_IN_PROGRESS', settle: { to: 'PAID', afterQueries: 2 } };
  const neverSettles: PayScenario = { result: 'PAY_IN_PROGRESS' };
  const errorDuringCompensation: PayScenario = {
    result: 'PAY_IN_PROGRESS',
    settle: { to: 'PAY_ERROR', afterQueries: 2 },
  };

  interface Case {
    /** What the gateway shows when the person resolves. */
    gateway: string;
    pay: PayScenario;
    /** How the order got there after the escalation: a signed call of the merchant's back office or support. */
    moveTo?: (clientSn: string) => Promise<unknown>;
    resolution: ResolveRequest['resolution'];
    reference?: string;
    /** What the gateway's books keep at the end, in fen (the payment is ¥12.34). */
    kept: number;
  }

  const refund = (amount: string) => (clientSn: string) =>
    gatewayCall(stack.sim, 'refund', {
      client_sn: clientSn,
      refund_request_no: `R${clientSn.slice(-10)}`,
      refund_amount: amount,
      operator: 'support',
    });

  const CASES: Case[] = [
    { gateway: 'PAID', pay: paidDuringCompensation, resolution: 'PAID', kept: 1234 },
    {
      gateway: 'CANCELED',
      pay: paidDuringCompensation,
      moveTo: (clientSn) => gatewayCall(stack.sim, 'cancel', { client_sn: clientSn }),
      resolution: 'CANCELED',
      kept: 0,
    },
    {
      gateway: 'CANCELED',
      pay: paidDuringCompensation,
      moveTo: (clientSn) => gatewayCall(stack.sim, 'revoke', { client_sn: clientSn }),
      resolution: 'REVOKED',
      kept: 0,
    },
    {
      gateway: 'PAY_CANCELED',
      pay: neverSettles,
      moveTo: (clientSn) => gatewayCall(stack.sim, 'cancel', { client_sn: clientSn }),
      resolution: 'FAILED',
      kept: 0,
    },
    { gateway: 'REFUNDED', pay: paidDuringCompensation, moveTo: refund('1234'), resolution: 'REFUNDED', kept: 0 },
    {
      gateway: 'PARTIAL_REFUNDED',
      pay: paidDuringCompensation,
      moveTo: refund('234'),
      resolution: 'PARTIAL_REFUNDED',
      kept: 1000,
    },
    // An error state support settles offline.
    {
      gateway: 'PAY_ERROR',
      pay: errorDuringCompensation,
      resolution: 'SETTLED_OUTSIDE',
      reference: 'SQB-TICKET-4711',
      kept: 0,
    },
    // Settled by hand (a bank transfer back) while the gateway still shows the money kept: closes, disagreement kept.
    {
      gateway: 'PAID',
      pay: paidDuringCompensation,
      resolution: 'SETTLED_OUTSIDE',
      reference: 'transfer 2026-12-02 #88',
      kept: 1234,
    },
  ];

  it.each(CASES.map((c) => [c.gateway, c.resolution, c] as const))(
    'R7: gateway %s, resolution %s: the escalated payment closes with the operator, the note and the gateway at close',
    async (_, __, c) => {
      const request = newPayment({ timing });
      await postScenario(stack.sim, request.clientSn, { pay: c.pay, cancel: [UPAY_TCP_ORDER_NOT_REFUNDABLE] });
      const { status: told } = await stack.payments.pay(request);
      expect(told.state).toBe('NEEDS_ATTENTION');
      expect(told.escalation?.reason).toContain('UPAY_TCP_ORDER_NOT_REFUNDABLE');

      if (c.moveTo) await c.moveTo(request.clientSn);
      const before = await finalBooks(stack.sim);
      expect(ownOrder(before, request)?.order_status).toBe(c.gateway);

      const resolve: ResolveRequest = {
        operator: 'ops-lead',
        resolution: c.resolution,
        note: `checked with 收钱吧: order ${c.gateway}`,
        ...(c.reference ? { reference: c.reference } : {}),
      };
      await stack.payments.resolve(request, resolve);
      await waitForStatus(stack, request, (s) => s.resolution !== undefined);

      // The workflow closes (it does not loop back to a person), in the resolved state.
      const final = await stack.payments.result(request);
      const handle = stack.client.workflow.getHandle(paymentWorkflowId(request.terminalSn, request.clientSn));
      expect((await handle.describe()).status.name).toBe('COMPLETED');
      expect(final.state).toBe(c.resolution);
      expect(final.settledAt).toBeGreaterThan(0);
      expect(final.resolution).toMatchObject({
        ...resolve,
        gatewayAtClose: { orderStatus: c.gateway, at: expect.any(Number) },
      });
      expect(final.resolution!.gatewayAtClose!.at).toBeGreaterThanOrEqual(final.resolution!.resolvedAt);
      // The escalation that was resolved stays on record; the saga sent nothing after it but the check at close.
      expect(final.escalation?.reason).toContain('UPAY_TCP_ORDER_NOT_REFUNDABLE');
      const after = final.calls.filter((call) => call.at > final.escalation!.at);
      expect(after.map((call) => call.step)).toEqual(['close-check-query']);

      // The books: what the gateway kept, and that they agree with the resolution (or the disagreement is on record).
      const books = await finalBooks(stack.sim);
      const order = ownOrder(books, request)!;
      expect(order.order_status).toBe(c.gateway);
      expect(order.kept_fen).toBe(c.kept);
      expect(books.counters.reversals_by_sn[order.sn] ?? 0).toBeLessThanOrEqual(1);
      expect(resolvedBookViolations(final, books)).toEqual([]);
      await expectClosedConsistently(stack, final);
    },
  );

  it('R7: an escalation about another order (R1) closes SETTLED_OUTSIDE; gatewayAtClose shows the other order', async () => {
    const request = newPayment({ timing });
    // Someone else's ¥0.01 order, PAID on a sibling terminal, holds the client_sn: our pay created nothing.
    await postScenario(stack.sim, request.clientSn, { existingOrder: { totalAmount: '1', status: 'PAID' } });
    const { status: told } = await stack.payments.pay(request);
    expect(told.state).toBe('NEEDS_ATTENTION');
    expect(told.escalation?.reason).toContain('another order');

    const resolve: ResolveRequest = {
      operator: 'ops-lead',
      resolution: 'SETTLED_OUTSIDE',
      note: 'our pay created nothing; the order under this client_sn is the other till’s',
      reference: 'SQB-TICKET-4712',
    };
    await stack.payments.resolve(request, resolve);
    const final = await stack.payments.result(request);
    expect(final.state).toBe('SETTLED_OUTSIDE');
    expect(final.resolution).toMatchObject({ ...resolve, gatewayAtClose: { orderStatus: 'PAID' } });

    // The books: only the other order, untouched; nothing of ours anywhere.
    const books = await finalBooks(stack.sim);
    const orders = ordersUnder(books, request.clientSn);
    expect(orders).toHaveLength(1);
    expect(orders[0]).toMatchObject({ terminal_sn: SIBLING_TERMINAL_SN, order_status: 'PAID', kept_fen: 1 });
    expect(requestsAbout(books, request.clientSn, 'cancel')).toEqual([]);
    expect(requestsAbout(books, request.clientSn, 'revoke')).toEqual([]);
    await expectClosedConsistently(stack, final);
  });
});

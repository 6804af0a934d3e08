import { RevokeRejectedError } from '../../client/errors';
import { GatewayClient } from '../../activities/gateway/client';
import { createGatewayDispatcher } from '../../activities/gateway/http';
import { UPAY_TCP_ORDER_NOT_REFUNDABLE } from '../../simulator';
import {
  FAST_TIMING,
  TERMINAL_KEY,
  TERMINAL_SN,
  expectConsistent,
  ledgerOrder,
  newPayment,
  useSagaStack,
  waitForStatus,
  type SagaStack,
} from '../helpers/saga-stack';

const OPERATOR = { operator: 'ops-wang', reason: 'customer returned the goods' };

/** Decision table, revoke rows (手动撤单): timing of the request × gateway answers. */
describe('saga decision table: revoke', () => {
  const stack = useSagaStack();

  it('revokes a PAID payment by signal (what the Web UI sends): REVOKED, order CANCELED at the gateway', async () => {
    const request = newPayment();
    await stack.payments.pay(request);
    await stack.payments.revokeBySignal(request, OPERATOR);
    const status = await waitForStatus(stack, request, (s) => s.state === 'REVOKED');
    expect(status.revoke).toMatchObject({ ...OPERATOR, via: 'signal', status: 'REVOKED' });
    expect(ledgerOrder(stack.sim, request.clientSn)?.order_status).toBe('CANCELED');
    await expectConsistent(stack, status);
  });

  it('revokes by update and returns the result to the program', async () => {
    const request = newPayment();
    await stack.payments.pay(request);
    const result = await stack.payments.revoke(request, OPERATOR);
    expect(result).toMatchObject({ state: 'REVOKED', revoke: { status: 'REVOKED', via: 'update' } });
    expect(ledgerOrder(stack.sim, request.clientSn)?.order_status).toBe('CANCELED');
    await expectConsistent(stack, await stack.payments.status(request));
  });

  it('allows one revoke only: a second update is rejected before history, a second signal is recorded as ignored', async () => {
    const request = newPayment();
    await stack.payments.pay(request);
    await stack.payments.revoke(request, OPERATOR);
    await expect(stack.payments.revoke(request, OPERATOR)).rejects.toBeInstanceOf(RevokeRejectedError);
    await stack.payments.revokeBySignal(request, OPERATOR);
    const status = await waitForStatus(stack, request, (s) => s.ignored.length > 0);
    expect(status.ignored[0]?.why).toMatch(/already requested|REVOKED/);
    expect(stack.sim.ledger().counters.reversals_by_sn[status.sn!]).toBe(1);
  });

  it('keeps the payment PAID and records the refusal when the gateway refuses (UPAY_TCP_ORDER_NOT_REFUNDABLE)', async () => {
    const request = newPayment();
    stack.sim.setScenario(request.clientSn, { revoke: [UPAY_TCP_ORDER_NOT_REFUNDABLE] });
    await stack.payments.pay(request);
    const result = await stack.payments.revoke(request, OPERATOR);
    expect(result).toMatchObject({
      state: 'PAID',
      revoke: { status: 'REFUSED', detail: 'UPAY_TCP_ORDER_NOT_REFUNDABLE' },
    });
    await expectConsistent(stack, await stack.payments.status(request));
  });

  it('retries an unknown revoke answer on the schedule until it is definite', async () => {
    const request = newPayment();
    stack.sim.setScenario(request.clientSn, { revoke: ['CANCEL_IN_PROGRESS', { fault: 'reset', commit: false }] });
    await stack.payments.pay(request);
    const result = await stack.payments.revoke(request, OPERATOR);
    expect(result.state).toBe('REVOKED');
    const status = await stack.payments.status(request);
    expect(status.calls.filter((c) => c.operation === 'revoke').map((c) => c.kind)).toEqual([
      'in_progress',
      'unknown',
      'success',
    ]);
    await expectConsistent(stack, status);
  });

  it('does not take a refusal as proof after a revoke whose answer was lost (fuzz seed 1898): REVOKED, no 短款', async () => {
    const request = newPayment();
    stack.sim.setScenario(request.clientSn, {
      // revoke #1 reverses the money but its answer is lost; revoke #2 is refused; queries fail meanwhile.
      revoke: [{ fault: 'reset', commit: true }, UPAY_TCP_ORDER_NOT_REFUNDABLE],
      query: ['normal', { fault: 'reset' }, { fault: 'reset' }],
    });
    await stack.payments.pay(request);
    const result = await stack.payments.revoke(request, OPERATOR);
    expect(result.state).toBe('REVOKED');
    expect(ledgerOrder(stack.sim, request.clientSn)).toMatchObject({ order_status: 'CANCELED', kept_fen: 0 });
    const status = await stack.payments.status(request);
    expect(stack.sim.ledger().counters.reversals_by_sn[status.sn!]).toBe(1);
    await expectConsistent(stack, status);
  });

  it('remembers a revoke sent before the outcome is known and carries it out once PAID', async () => {
    const request = newPayment();
    stack.sim.setScenario(request.clientSn, {
      pay: { result: 'PAY_IN_PROGRESS', settle: { to: 'PAID', afterQueries: 2 } },
    });
    const paying = stack.payments.pay(request);
    await waitForStatus(stack, request, (s) => s.state === 'CONFIRMING');
    await stack.payments.revokeBySignal(request, OPERATOR);
    await paying;
    const status = await waitForStatus(stack, request, (s) => s.state === 'REVOKED');
    // Two confirm queries, then the look before the revoke (patch query-before-revoke).
    expect(status.calls.map((c) => c.operation)).toEqual(['pay', 'query', 'query', 'query', 'revoke']);
    await expectConsistent(stack, status);
  });

  it('answers a revoke update at once when the payment escalates, and keeps the revoke for after the resolution', async () => {
    // Found by the fuzzer: the update used to wait for a person's resolve, hanging the caller.
    const request = newPayment({ timing: { ...FAST_TIMING, confirmWindowMs: 600 } });
    stack.sim.setScenario(request.clientSn, {
      pay: { result: 'PAY_IN_PROGRESS', settle: { to: 'PAID', afterQueries: 2 } },
      cancel: [UPAY_TCP_ORDER_NOT_REFUNDABLE],
    });
    const paying = stack.payments.pay(request);
    await waitForStatus(stack, request, (s) => s.state === 'CONFIRMING');
    const result = await stack.payments.revoke(request, OPERATOR);
    expect(result).toMatchObject({ state: 'NEEDS_ATTENTION', revoke: { status: 'PENDING', via: 'update' } });
    await paying;
    await stack.payments.resolve(request, { operator: 'ops-lead', resolution: 'PAID', note: 'paid after all' });
    const status = await waitForStatus(stack, request, (s) => s.state === 'REVOKED');
    expect(ledgerOrder(stack.sim, request.clientSn)?.order_status).toBe('CANCELED');
    await expectConsistent(stack, status);
  });

  it('records an early revoke as not needed when the payment fails', async () => {
    const request = newPayment();
    stack.sim.setScenario(request.clientSn, {
      pay: { result: 'PAY_IN_PROGRESS', settle: { to: 'PAY_CANCELED', afterQueries: 2 } },
    });
    const paying = stack.payments.pay(request);
    await waitForStatus(stack, request, (s) => s.state === 'CONFIRMING');
    await stack.payments.revokeBySignal(request, OPERATOR);
    await paying;
    const status = await waitForStatus(stack, request, (s) => s.revoke?.status === 'NOT_NEEDED');
    expect(status.state).toBe('FAILED');
    expect(status.calls.some((c) => c.operation === 'revoke')).toBe(false);
  });

  it('rejects a revoke of a FAILED payment', async () => {
    const request = newPayment();
    stack.sim.setScenario(request.clientSn, { pay: { result: 'PAY_FAIL' } });
    await stack.payments.pay(request);
    await expect(stack.payments.revoke(request, OPERATOR)).rejects.toThrow(/only a PAID payment/);
  });

  it('rejects a revoke after the revoke window (end of the business day) has closed', async () => {
    const request = newPayment({ timing: { revokeWindowAfterMs: 1_000 } });
    await stack.payments.pay(request);
    await new Promise((r) => setTimeout(r, 1_200));
    await expect(stack.payments.revoke(request, OPERATOR)).rejects.toBeInstanceOf(RevokeRejectedError);
  });

  it('keeps PAID when the gateway refuses because its day has ended (UPAY_CANCEL_INVALID_ORDER_STATE)', async () => {
    const request = newPayment();
    await stack.payments.pay(request);
    stack.sim.setClockOffset(24 * 3600 * 1000);
    try {
      const result = await stack.payments.revoke(request, OPERATOR);
      expect(result).toMatchObject({
        state: 'PAID',
        revoke: { status: 'REFUSED', detail: 'UPAY_CANCEL_INVALID_ORDER_STATE' },
      });
      expect(ledgerOrder(stack.sim, request.clientSn)?.order_status).toBe('PAID');
    } finally {
      stack.sim.setClockOffset(0);
    }
  });

  // Issue #16 part 3: the revoke is refused unsent ("refunded: use refund"); the refund nobody told the
  // payment of is a disagreement at close (R7), so a person still gets the case.
  it('refuses unsent a revoke of an order refunded outside the saga, then a person at close (never after a refund)', async () => {
    const request = newPayment();
    await stack.payments.pay(request);
    const gateway = outsideTheSaga(stack);
    const refund = await gateway.refund({
      terminal_sn: TERMINAL_SN,
      client_sn: request.clientSn,
      refund_request_no: 'r1',
      refund_amount: '100',
      operator: 'ops',
    });
    expect(refund.kind).toBe('success');
    const result = await stack.payments.revoke(request, OPERATOR);
    expect(result.state).toBe('PAID');
    expect(result.revoke).toMatchObject({ status: 'REFUSED', detail: expect.stringMatching(/^refunded: use refund/) });
    const status = await waitForStatus(stack, request, (s) => s.state === 'NEEDS_ATTENTION');
    expect(status.escalation?.reason).toContain('PARTIAL_REFUNDED');
    expect(status.calls.some((c) => c.operation === 'revoke')).toBe(false); // the look first saw the refund
    expect(ledgerOrder(stack.sim, request.clientSn)?.reversed_fen).toBe(0);
  });

  it('does not send a revoke for an order already revoked outside the saga: REVOKED, reversed once', async () => {
    const request = newPayment();
    await stack.payments.pay(request);
    const gateway = outsideTheSaga(stack);
    expect((await gateway.revoke({ terminal_sn: TERMINAL_SN, client_sn: request.clientSn })).kind).toBe('success');
    const result = await stack.payments.revoke(request, OPERATOR);
    expect(result).toMatchObject({
      state: 'REVOKED',
      revoke: { status: 'REVOKED', detail: expect.stringContaining('already CANCELED') },
    });
    const status = await stack.payments.status(request);
    expect(status.calls.map((c) => c.operation)).toEqual(['pay', 'query']);
    expect(stack.sim.ledger().counters.reversals_by_sn[status.sn!]).toBe(1);
    await expectConsistent(stack, status);
  });
});

/** The merchant's own back office: the gateway reached directly, not through the saga. */
function outsideTheSaga(stack: SagaStack): GatewayClient {
  return new GatewayClient({
    apiDomain: stack.sim.url,
    dispatcher: createGatewayDispatcher(stack.sim.url),
    terminalKey: () => TERMINAL_KEY,
  });
}

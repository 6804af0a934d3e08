import type { PaymentStatus } from '../../workflows/types';
import { UPAY_TCP_ORDER_NOT_REFUNDABLE } from '../../simulator';
import {
  FAST_TIMING,
  expectConsistent,
  ledgerOrder,
  newPayment,
  useSagaStack,
  waitForStatus,
} from '../helpers/saga-stack';

/** Decision table, compensation rows: the payment is still unknown when the confirm window ends. */
describe('saga decision table: cancel (冲正)', () => {
  const stack = useSagaStack();

  const neverSettles = { pay: { result: 'PAY_IN_PROGRESS' as const } };

  it('cancels right after the last query and ends CANCELED on CANCEL_ABORT_SUCCESS', async () => {
    const request = newPayment();
    stack.sim.setScenario(request.clientSn, neverSettles);
    const { status } = await stack.payments.pay(request);
    expect(status.state).toBe('CANCELED');
    const ops = status.calls.map((c) => c.operation);
    expect(ops.at(-2)).toBe('query');
    expect(ops.at(-1)).toBe('cancel');
    expect(ledgerOrder(stack.sim, request.clientSn)?.order_status).toBe('PAY_CANCELED');
    await expectConsistent(stack, status);
  });

  it('keeps cancelling through CANCEL_IN_PROGRESS and CANCEL_ERROR, querying after each, on the documented schedule', async () => {
    const request = newPayment();
    stack.sim.setScenario(request.clientSn, {
      ...neverSettles,
      cancel: ['CANCEL_IN_PROGRESS', 'CANCEL_ERROR', 'normal'],
    });
    const { status } = await stack.payments.pay(request);
    expect(status.state).toBe('CANCELED');
    const reversal = status.calls.filter(
      (c) =>
        c.operation === 'cancel' ||
        (c.operation === 'query' && c.at >= (status.calls.find((x) => x.operation === 'cancel')?.at ?? Infinity)),
    );
    expect(reversal.map((c) => `${c.operation}#${c.attempt}:${c.bizResultCode ?? c.kind}`)).toEqual([
      'cancel#1:CANCEL_IN_PROGRESS',
      'query#1:SUCCESS',
      'cancel#2:CANCEL_ERROR',
      'query#2:SUCCESS',
      'cancel#3:CANCEL_ABORT_SUCCESS',
    ]);
    // Attempt n+1 waits timing.cancelDelaysMs[n-1] after attempt n's query.
    const cancels = status.calls.filter((c) => c.operation === 'cancel');
    const queries = reversal.filter((c) => c.operation === 'query');
    expect(cancels[1]!.at - queries[0]!.at).toBeGreaterThanOrEqual(FAST_TIMING.cancelDelaysMs![0]!);
    expect(cancels[2]!.at - queries[1]!.at).toBeGreaterThanOrEqual(FAST_TIMING.cancelDelaysMs![1]!);
    await expectConsistent(stack, status);
  });

  it('keeps cancelling through transport faults on cancel', async () => {
    // Two cancels in doubt wait out their doubt before the third: a deadline with room for that under load.
    const request = newPayment({ timing: { ...FAST_TIMING, cancelDeadlineAfterMs: 15_000 } });
    stack.sim.setScenario(request.clientSn, {
      ...neverSettles,
      cancel: [
        { fault: 'reset', commit: false },
        { fault: 'system-error', commit: false },
      ],
    });
    const { status } = await stack.payments.pay(request);
    expect(status.state).toBe('CANCELED');
    expect(status.calls.filter((c) => c.operation === 'cancel').map((c) => c.kind)).toEqual([
      'unknown',
      'unknown',
      'success',
    ]);
    await expectConsistent(stack, status);
  });

  // A confirm window shorter than one interval gives exactly one confirm query, so "the N-th query"
  // of the simulator's settle rule lands deterministically in the cancel phase.
  const ONE_CONFIRM_QUERY = { ...FAST_TIMING, confirmWindowMs: 200 };

  it('confirms UPAY_CANCEL_ORDER_NOOP by query: the lost answer of a cancel that did happen ends CANCELED, reversed once', async () => {
    const request = newPayment({ timing: ONE_CONFIRM_QUERY });
    // cancel #1 takes effect but its answer is lost; the query after it fails too; cancel #2 gets NOOP.
    stack.sim.setScenario(request.clientSn, {
      ...neverSettles,
      cancel: [{ fault: 'reset', commit: true }],
      query: ['normal', { fault: 'reset' }],
    });
    const { status } = await stack.payments.pay(request);
    expect(status.state).toBe('CANCELED');
    expect(status.calls.map((c) => `${c.operation}:${c.errorCode ?? c.bizResultCode ?? c.kind}`)).toEqual([
      'pay:PAY_IN_PROGRESS',
      'query:SUCCESS',
      'cancel:unknown',
      'query:unknown',
      'cancel:UPAY_CANCEL_ORDER_NOOP',
      'query:SUCCESS',
    ]);
    expect(stack.sim.ledger().counters.reversals_by_sn[status.sn!] ?? 0).toBeLessThanOrEqual(1);
    await expectConsistent(stack, status);
  });

  it('cancels again when the payment lands before any reversal took hold (R2: never PAID from compensation)', async () => {
    const request = newPayment({ timing: ONE_CONFIRM_QUERY });
    // The first cancel never reaches the gateway; the query after it sees the payment settled PAID.
    stack.sim.setScenario(request.clientSn, {
      pay: { result: 'PAY_IN_PROGRESS', settle: { to: 'PAID', afterQueries: 2 } },
      cancel: [{ fault: 'reset', commit: false }],
    });
    const { status } = await stack.payments.pay(request);
    expect(status.state).toBe('CANCELED');
    expect(status.calls.map((c) => `${c.operation}:${c.kind}`)).toEqual([
      'pay:in_progress',
      'query:in_progress',
      'cancel:unknown',
      'query:success',
      'cancel:success',
    ]);
    expect(ledgerOrder(stack.sim, request.clientSn)?.order_status).toBe('CANCELED');
    await expectConsistent(stack, status);
  });

  it('escalates a definite refusal (UPAY_TCP_ORDER_NOT_REFUNDABLE) to NEEDS_ATTENTION, then takes an operator resolve', async () => {
    const request = newPayment({ timing: ONE_CONFIRM_QUERY });
    stack.sim.setScenario(request.clientSn, {
      pay: { result: 'PAY_IN_PROGRESS', settle: { to: 'PAID', afterQueries: 2 } },
      cancel: [UPAY_TCP_ORDER_NOT_REFUNDABLE],
    });
    const { status } = await stack.payments.pay(request);
    expect(status.state).toBe('NEEDS_ATTENTION');
    expect(status.escalation?.reason).toContain('UPAY_TCP_ORDER_NOT_REFUNDABLE');
    await expectConsistent(stack, status);

    await stack.payments.resolve(request, {
      operator: 'ops-lead',
      resolution: 'PAID',
      note: 'customer keeps the goods',
    });
    const resolved = await waitForStatus(stack, request, (s) => s.state === 'PAID');
    expect(resolved.resolution).toMatchObject({ operator: 'ops-lead', resolution: 'PAID' });
    expect(ledgerOrder(stack.sim, request.clientSn)?.kept_fen).toBe(request.amountFen);
    await expectConsistent(stack, resolved);
  });

  it('escalates again when an operator resolves FAILED but the order settles PAID before close', async () => {
    // Found by the fuzzer: a resolution made while the gateway order was still in flight closed as a 长款.
    const request = newPayment({ timing: ONE_CONFIRM_QUERY });
    stack.sim.setScenario(request.clientSn, {
      pay: { result: 'PAY_IN_PROGRESS', settle: { to: 'PAID', afterMs: 3_000 } },
      cancel: [UPAY_TCP_ORDER_NOT_REFUNDABLE],
    });
    expect((await stack.payments.pay(request)).status.state).toBe('NEEDS_ATTENTION');
    await stack.payments.resolve(request, { operator: 'ops-lead', resolution: 'FAILED', note: 'looks unpaid' });
    const again = await waitForStatus(stack, request, (s) => s.state === 'NEEDS_ATTENTION' && !!s.resolution);
    expect(again.escalation?.reason).toContain('order is PAID at the gateway at close, but the payment is FAILED');
    expect(ledgerOrder(stack.sim, request.clientSn)?.kept_fen).toBe(request.amountFen);

    await stack.payments.resolve(request, { operator: 'ops-lead', resolution: 'PAID', note: 'it settled' });
    const handle = stack.client.workflow.getHandle(`upay-${request.terminalSn}-${request.clientSn}`);
    const final = (await handle.result()) as PaymentStatus;
    expect(final.state).toBe('PAID');
    await expectConsistent(stack, final);
  });

  it('escalates when no definite cancel answer comes before the deadline, and stays open until resolved', async () => {
    // A short confirm window starts the cancels at ~1 s, so two fit before the 5 s deadline under load.
    const request = newPayment({ timing: { ...FAST_TIMING, confirmWindowMs: 1_000, cancelDeadlineAfterMs: 5_000 } });
    // The gateway auto-cancels the unpaid order (TRADE_TIMEOUT) only well after the cancel deadline
    // and after the last cancel's doubt (FAST_TIMING.requestDoubtMs) has run out.
    stack.sim.setScenario(request.clientSn, {
      pay: { result: 'PAY_IN_PROGRESS', settle: { to: 'PAY_CANCELED', afterMs: 9_000 } },
      cancel: Array(50).fill('CANCEL_ERROR'),
    });
    const { status } = await stack.payments.pay(request, { waitMs: 30_000 });
    expect(status.state).toBe('NEEDS_ATTENTION');
    expect(status.escalation?.reason).toContain('deadline');
    expect(status.calls.filter((c) => c.operation === 'cancel').length).toBeGreaterThanOrEqual(2);

    // Past the revoke window it is still open and waiting for a person, who resolves once the order has settled.
    await new Promise((r) => setTimeout(r, 9_500 - (Date.now() - status.startedAt)));
    const handle = stack.client.workflow.getHandle(`upay-${request.terminalSn}-${request.clientSn}`);
    expect((await handle.describe()).status.name).toBe('RUNNING');

    await stack.payments.resolve(request, {
      operator: 'ops-lead',
      resolution: 'CANCELED',
      note: '收钱吧 support confirmed the reversal',
    });
    const final = await stack.payments.result(request);
    expect(final.state).toBe('CANCELED');
    expect(final.resolution?.note).toContain('support');
  });

  it('ignores a resolve on a payment that does not need attention, and says why', async () => {
    const request = newPayment();
    const { status } = await stack.payments.pay(request);
    expect(status.state).toBe('PAID');
    await stack.payments.resolve(request, { operator: 'x', resolution: 'CANCELED', note: 'oops' });
    const after = await waitForStatus(stack, request, (s) => s.ignored.length > 0);
    expect(after.state).toBe('PAID');
    expect(after.ignored[0]).toMatchObject({ name: 'resolve', why: expect.stringContaining('NEEDS_ATTENTION') });
  });
});

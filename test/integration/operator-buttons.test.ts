import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Scenario } from '../../simulator';
import { UPAY_TCP_ORDER_NOT_REFUNDABLE } from '../../simulator';
import type { PaymentRef } from '../../client/payments-client';
import {
  RULE_TIMING,
  finalBooks,
  gatewayCall,
  historyOf,
  ownOrder,
  postScenario,
  requestsAbout,
  sleep,
  statesSeen,
  terminateIfOpen,
  watchStatus,
} from '../helpers/money-rules';
import {
  TERMINAL_SN,
  expectConsistent,
  ledgerOrder,
  newPayment,
  useSagaStack,
  type SagaStack,
} from '../helpers/saga-stack';
import {
  parsePaymentWorkflowId,
  paymentWorkflowId,
  type PaymentRequest,
  type PaymentStatus,
  type TimingOverrides,
} from '../../workflows/types';
import { validatePaymentRequest } from '../../workflows/validation';

/**
 * Issue 15, money rules R6: what each button of the Web UI (and its CLI and client twins) does to a
 * payment, against the real dev server, the real worker and the simulator over HTTP. A Temporal
 * cancellation request before the outcome means "do not take this money"; after it, it changes
 * nothing; no payment workflow closes Canceled. A second run for an order that already ran sends
 * no second pay that could take money and ends in the first run's truth.
 */
describe('the Web UI buttons (issue 15, money rules R6)', () => {
  const stack = useSagaStack();
  const timing: TimingOverrides = RULE_TIMING;

  /** Starts the payment as a checkout does (early return), without waiting for it. */
  async function startPayment(request: PaymentRequest, scenario?: Scenario) {
    if (scenario) await postScenario(stack.sim, request.clientSn, scenario);
    const told = stack.payments.pay(request, { waitMs: 30_000 });
    told.catch(() => undefined);
    return told;
  }

  async function closedAs(ref: PaymentRef): Promise<{ final: PaymentStatus; execution: string }> {
    const final = await stack.payments.result(ref);
    const handle = stack.client.workflow.getHandle(paymentWorkflowId(ref.terminalSn, ref.clientSn));
    return { final, execution: (await handle.describe()).status.name };
  }

  async function until(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 15_000) {
    const deadline = Date.now() + timeoutMs;
    while (!(await predicate())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(50);
    }
  }

  /** `npm run client -- …` as a real process: one JSON object on stdout, and its exit code. */
  function runCli(...args: string[]): Promise<{ code: number; out: Record<string, unknown> }> {
    return new Promise((resolve, reject) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'client/main.ts', ...args],
        {
          cwd: path.resolve(__dirname, '..', '..'),
          env: {
            ...process.env,
            TEMPORAL_ADDRESS: process.env.TEMPORAL_TEST_ADDRESS,
            TEMPORAL_TASK_QUEUE: stack.taskQueue,
            SQB_TERMINAL_SN: TERMINAL_SN,
          },
        },
        (err, stdout, stderr) => {
          const code = err ? Number((err as { code?: number }).code ?? 1) : 0;
          try {
            resolve({ code, out: JSON.parse(stdout || stderr) as Record<string, unknown> });
          } catch {
            reject(new Error(`not one JSON object (exit ${code}): ${stdout}${stderr}`));
          }
        },
      );
    });
  }

  const stateIs = (s: SagaStack, ref: PaymentRef, state: PaymentStatus['state']) =>
    s.payments.waitFor(ref, (st) => st.state === state, { timeoutMs: 15_000, intervalMs: 50 });

  it('Request Cancellation while PAYING (pay in flight, the customer pays): the pay runs to its end, is cancelled at once, ends CANCELED, never told PAID', async () => {
    const request = newPayment({ timing });
    const told = startPayment(request, { pay: { holdMs: 1_500 } });
    const watch = watchStatus(stack.payments, request);
    await until('the pay to reach the gateway', () => ledgerOrder(stack.sim, request.clientSn) !== undefined);

    const aborted = await stack.payments.abort(request, { waitMs: 20_000 });
    expect(aborted).toMatchObject({ effect: 'DO_NOT_TAKE', settled: true, state: 'CANCELED' });
    expect(aborted.status.cancellation).toMatchObject({ stateAtRequest: 'PAYING', effect: 'DO_NOT_TAKE' });
    expect((await told).status.state).toBe('CANCELED'); // the checkout's early return

    const { final, execution } = await closedAs(request);
    const seen = await watch.stop();
    expect(execution).toBe('COMPLETED');
    expect(final.state).toBe('CANCELED');
    expect(seen.map((s) => s.state)).not.toContain('PAID');
    // CANCELING may last less than a poll: the first cancel succeeds at once.
    expect(statesSeen(seen).filter((st) => st !== 'CANCELING')).toEqual(['PAYING', 'CANCELED']);
    // The pay ran to its end (PAY_SUCCESS after the hold), then the cancel went at once.
    expect(final.calls.map((c) => `${c.step}:${c.kind}`).slice(0, 2)).toEqual(['pay:success', 'cancel:success']);

    const order = ownOrder(await finalBooks(stack.sim), request)!;
    expect(order.order_status).toBe('CANCELED');
    expect(order.kept_fen).toBe(0);
    expect(order.movements.map((m) => m.kind)).toEqual(['capture', 'reversal']);
    await expectConsistent(stack, final);
  });

  it('Request Cancellation before pay is sent (during admission): pay is never sent, FAILED', async () => {
    const request = newPayment({ timing });
    // A cancel request sent right after the start reaches the workflow before its pay is scheduled.
    const handle = await stack.client.workflow.start('paymentSaga', {
      workflowId: paymentWorkflowId(request.terminalSn, request.clientSn),
      taskQueue: stack.taskQueue,
      args: [request],
    });
    await handle.cancel();
    const { final, execution } = await closedAs(request);
    expect(execution).toBe('COMPLETED');
    // Either no pay at all (cancel seen first), or the pay ran and was reversed: never money kept.
    const books = await finalBooks(stack.sim);
    if (final.state === 'FAILED') {
      expect(final.calls).toEqual([]);
      expect(requestsAbout(books, request.clientSn, 'pay')).toEqual([]);
    } else {
      expect(final.state).toBe('CANCELED');
      expect(ownOrder(books, request)?.kept_fen).toBe(0);
    }
    expect(final.cancellation).toMatchObject({ effect: 'DO_NOT_TAKE' });
  });

  it('Request Cancellation while CONFIRMING, the customer pays as the cancel arrives and its answer is lost: compensated at once, ends CANCELED, books agree (R6 test)', async () => {
    const request = newPayment({ timing: { ...timing, confirmIntervalMs: 2_000, confirmWindowMs: 20_000 } });
    const told = startPayment(request, {
      pay: { result: 'PAY_IN_PROGRESS' },
      cancel: [{ paidFirst: true, effectAfterMs: 1_000, reply: 'reset' }],
    });
    const watch = watchStatus(stack.payments, request);
    await stateIs(stack, request, 'CONFIRMING');

    const aborted = await stack.payments.abort(request, { waitMs: 20_000 });
    expect(aborted).toMatchObject({ effect: 'DO_NOT_TAKE', settled: true, state: 'CANCELED' });
    expect((await told).status.state).toBe('CANCELED'); // the checkout's early return
    const { final, execution } = await closedAs(request);
    const seen = await watch.stop();
    expect(execution).toBe('COMPLETED');
    expect(final.state).toBe('CANCELED');
    expect(seen.map((s) => s.state)).not.toContain('PAID');
    // Compensated at once: no confirm query waited out its 2 s interval before the first cancel.
    const firstCancel = final.calls.find((c) => c.step === 'cancel')!;
    expect(firstCancel.at - final.cancellation!.requestedAt).toBeLessThan(1_500);

    const order = ownOrder(await finalBooks(stack.sim), request)!;
    expect(historyOf(order)).toEqual(expect.arrayContaining(['CREATED→PAID:customer-paid']));
    expect(order.order_status).toBe('CANCELED');
    expect(order.kept_fen).toBe(0);
    await expectConsistent(stack, final);
  });

  it('Request Cancellation while CANCELING: the schedule goes on, ends CANCELED', async () => {
    const request = newPayment({ timing: { ...timing, cancelDelaysMs: [3_000] } });
    const told = startPayment(request, {
      pay: { result: 'PAY_IN_PROGRESS' },
      cancel: ['CANCEL_IN_PROGRESS', 'normal'],
    });
    await stateIs(stack, request, 'CANCELING');

    const aborted = await stack.payments.abort(request, { waitMs: 20_000 });
    expect(aborted).toMatchObject({ effect: 'ALREADY_COMPENSATING', state: 'CANCELED' });
    expect((await told).status.state).toBe('CANCELED');
    const { final, execution } = await closedAs(request);
    expect(execution).toBe('COMPLETED');
    expect(final.calls.filter((c) => c.step === 'cancel')).toHaveLength(2);
    expect(ownOrder(await finalBooks(stack.sim), request)?.kept_fen).toBe(0);
    await expectConsistent(stack, final);
  });

  it('Request Cancellation on PAID: recorded in ignored ("use revoke"), the money stays, closes PAID (not Canceled)', async () => {
    const request = newPayment({ timing });
    expect((await startPayment(request)).status.state).toBe('PAID');

    const aborted = await stack.payments.abort(request, { waitMs: 5_000 });
    expect(aborted).toMatchObject({ effect: 'IGNORED', settled: true, state: 'PAID' });
    expect(aborted.status.ignored).toEqual([
      expect.objectContaining({ name: 'cancel', why: expect.stringContaining('use revoke') }),
    ]);
    const { final, execution } = await closedAs(request);
    expect(execution).toBe('COMPLETED');
    expect(final.state).toBe('PAID');
    expect(final.calls.map((c) => c.step)).toEqual(['pay']);
    expect(ownOrder(await finalBooks(stack.sim), request)?.kept_fen).toBe(request.amountFen);
    await expectConsistent(stack, final);
  });

  it('Request Cancellation on NEEDS_ATTENTION changes nothing; a resolution still closes it', async () => {
    const request = newPayment({ timing: { ...timing, confirmWindowMs: 200 } });
    await startPayment(request, {
      pay: { result: 'PAY_IN_PROGRESS', settle: { to: 'PAID', afterQueries: 2 } },
      cancel: [UPAY_TCP_ORDER_NOT_REFUNDABLE],
    });
    await stateIs(stack, request, 'NEEDS_ATTENTION');
    try {
      // The CLI's twin of the button: one JSON object, exit 4 (a person must look).
      const cli = await runCli('abort', '--client-sn', request.clientSn, '--wait-ms', '3000');
      expect(cli.code).toBe(4);
      expect(cli.out).toMatchObject({ effect: 'IGNORED', state: 'NEEDS_ATTENTION' });
      const aborted = await stack.payments.status(request);
      expect(aborted.ignored.at(-1)?.why).toContain('changes nothing');
      await sleep(500);
      const handle = stack.client.workflow.getHandle(paymentWorkflowId(request.terminalSn, request.clientSn));
      expect((await handle.describe()).status.name).toBe('RUNNING');
      await stack.payments.resolve(request, { operator: 'ops', resolution: 'PAID', note: 'customer kept the goods' });
      const { final, execution } = await closedAs(request);
      expect(execution).toBe('COMPLETED');
      expect(final.state).toBe('PAID');
      expect(ownOrder(await finalBooks(stack.sim), request)?.kept_fen).toBe(request.amountFen);
    } finally {
      await terminateIfOpen(stack.client, request, 'test cleanup');
    }
  });

  it('Reset after pay: the reset run sends no second pay, learns the order by query and ends PAID', async () => {
    const request = newPayment({ timing: { ...timing, revokeWindowAfterMs: 8_000 } });
    expect((await startPayment(request)).status.state).toBe('PAID');
    const workflowId = paymentWorkflowId(request.terminalSn, request.clientSn);
    const first = await stack.client.workflow.getHandle(workflowId).describe();
    // Reset to the first workflow task: before admission and pay, as an operator picking "the start" would.
    const history = await stack.client.workflow.getHandle(workflowId, first.runId).fetchHistory();
    const firstTask = history.events!.find((e) => e.workflowTaskCompletedEventAttributes)!;
    const { runId } = await stack.client.workflowService.resetWorkflowExecution({
      namespace: 'default',
      workflowExecution: { workflowId, runId: first.runId },
      reason: 'test: reset after pay',
      workflowTaskFinishEventId: firstTask.eventId,
      requestId: randomUUID(),
    });
    const final = (await stack.client.workflow.getHandle(workflowId, runId).result()) as PaymentStatus;
    expect(final.state).toBe('PAID');
    expect(final.calls.map((c) => c.step)[0]).toBe('confirm-query'); // nothing before: no pay
    expect(final.calls.map((c) => c.step)).not.toContain('pay');
    expect(final.calls.map((c) => c.step)).toContain('confirm-query');

    const books = await finalBooks(stack.sim);
    expect(requestsAbout(books, request.clientSn, 'pay')).toHaveLength(1);
    expect(books.counters.captures_by_client_sn[request.clientSn]).toBe(1);
    expect(ownOrder(books, request)?.kept_fen).toBe(request.amountFen);
  });

  it("A second start after close (another ID reuse policy): its pay moves nothing (CLIENT_SN_CONFLICT), it adopts the first run's order and ends PAID", async () => {
    const request = newPayment({ timing: { ...timing, revokeWindowAfterMs: 2_000 } });
    expect((await startPayment(request)).status.state).toBe('PAID');
    await stack.payments.result(request);
    const handle = await stack.client.workflow.start('paymentSaga', {
      workflowId: paymentWorkflowId(request.terminalSn, request.clientSn),
      taskQueue: stack.taskQueue,
      args: [request],
      workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    });
    const second = (await handle.result()) as PaymentStatus;
    expect(second.state).toBe('PAID');
    expect(second.calls[0]).toMatchObject({ step: 'pay', errorCode: 'CLIENT_SN_CONFLICT' });

    const books = await finalBooks(stack.sim);
    expect(books.counters.captures_by_client_sn[request.clientSn]).toBe(1);
    expect(requestsAbout(books, request.clientSn, 'cancel')).toEqual([]);
    expect(ownOrder(books, request)?.kept_fen).toBe(request.amountFen);
  });

  it('recheck while CONFIRMING (the customer says they paid): one query now, read like a confirm query: PAID at once', async () => {
    const request = newPayment({ timing: { ...timing, confirmIntervalMs: 10_000, confirmWindowMs: 12_000 } });
    const told = startPayment(request, { pay: { result: 'PAY_IN_PROGRESS', settle: { to: 'PAID', afterMs: 300 } } });
    await stateIs(stack, request, 'CONFIRMING');
    await sleep(400);
    const recheck = await stack.payments.recheck(request, { operator: 'ops', note: 'customer shows the receipt' });
    expect(recheck).toMatchObject({ stateAtRequest: 'CONFIRMING', gateway: 'PAID', effect: 'confirm phase: PAID' });
    expect((await told).status.state).toBe('PAID');
    const status = await stack.payments.status(request);
    expect(status.calls.map((c) => c.step)).toEqual(['pay', 'recheck-query']);
    await terminateIfOpen(stack.client, request, 'test cleanup');
  });

  it('recheck on PAID after the order was reversed outside the saga: the gateway disagrees, a person is asked', async () => {
    // A window long enough for the CLI to start on a loaded machine (4 s closed the payment first in CI).
    const request = newPayment({ timing: { ...timing, revokeWindowAfterMs: 10_000 } });
    const paid = (await startPayment(request)).status;
    expect(paid.state).toBe('PAID');
    try {
      // The back office revokes it directly at the gateway.
      const revoked = await gatewayCall(stack.sim, 'revoke', { sn: paid.sn!, client_sn: request.clientSn });
      expect(revoked.biz_response?.result_code).toBe('CANCEL_SUCCESS');
      const cli = await runCli(
        'recheck',
        '--client-sn',
        request.clientSn,
        '--operator',
        'ops',
        '--note',
        'returned',
        '--signal',
      );
      expect(cli).toMatchObject({ code: 0, out: { signal: 'recheck', sent: true } });
      const status = await stateIs(stack, request, 'NEEDS_ATTENTION');
      expect(status.rechecks?.[0]).toMatchObject({ via: 'signal', gateway: 'CANCELED' });
      expect(status.escalation?.reason).toContain('CANCELED');
      await stack.payments.resolve(request, { operator: 'ops', resolution: 'REVOKED', note: 'revoked by back office' });
      const { final } = await closedAs(request);
      expect(final.state).toBe('REVOKED');
      expect(ownOrder(await finalBooks(stack.sim), request)?.kept_fen).toBe(0);
    } finally {
      await terminateIfOpen(stack.client, request, 'test cleanup');
    }
  });

  it('workflow IDs cannot collide: terminalSn is digits only (checked before anything starts), so upay-123-4-5 is only (123, 4-5)', async () => {
    await expect(stack.payments.pay(newPayment({ terminalSn: '123-4', clientSn: '5' }))).rejects.toMatchObject({
      name: 'InvalidRequestError',
      problems: [{ field: 'terminalSn', problem: expect.stringContaining('digits only') }],
    });
    expect(validatePaymentRequest(newPayment({ terminalSn: '123-4' }))).toEqual([
      expect.objectContaining({ field: 'terminalSn' }),
    ]);
    expect(parsePaymentWorkflowId('upay-123-4-5')).toEqual({ terminalSn: '123', clientSn: '4-5' });
    // Every valid pair maps to its own ID and back (existing IDs unchanged: the format is the same).
    const pairs: [string, string][] = [
      ['100000000000000042', 'order-1'],
      ['1', '2-3-4'],
      ['12', '3-4'],
      ['123', '4'],
      ['100000000000000042', '-x-'],
    ];
    const ids = pairs.map(([t, c]) => paymentWorkflowId(t, c));
    expect(new Set(ids).size).toBe(pairs.length);
    pairs.forEach(([terminalSn, clientSn], i) =>
      expect(parsePaymentWorkflowId(ids[i]!)).toEqual({ terminalSn, clientSn }),
    );
    expect(ids[0]).toBe('upay-100000000000000042-order-1');
  });
});

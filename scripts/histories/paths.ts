import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { authorizationHeader } from '../../activities/gateway/signing';
import type { PaymentsClient } from '../../client/payments-client';
import { RefundsClient } from '../../client/refunds-client';
import type { RunningSimulator, Scenario } from '../../simulator';
import { UPAY_TCP_ORDER_NOT_REFUNDABLE } from '../../simulator';
import {
  paymentWorkflowId,
  type PaymentRequest,
  type PaymentStatus,
  type RevokeRequest,
  type TimingOverrides,
} from '../../workflows/types';

/** The terminal the corpus is recorded with. The secrets test checks its key never reaches a history. */
export const RECORDING_TERMINAL = { terminalSn: '100000000000000077', terminalKey: 'c0ffee00deadbeef0123456789abcdef' };

/** Short timing so every path closes within seconds (the revoke window included), with room for all paths at once. */
export const RECORDING_TIMING: TimingOverrides = {
  confirmIntervalMs: 500,
  confirmWindowMs: 5_000,
  cancelDelaysMs: [1_000, 1_000],
  cancelDeadlineAfterMs: 12_000,
  revokeWindowAfterMs: 10_000,
  requestDoubtMs: 2_000,
};

/** One confirm query only, so a scenario's "N-th query" lands in the cancel phase. */
const ONE_CONFIRM_QUERY: TimingOverrides = { ...RECORDING_TIMING, confirmWindowMs: 200 };

const OPERATOR: RevokeRequest = { operator: 'ops-wang', reason: 'customer returned the goods' };

export interface RecordingContext {
  payments: PaymentsClient;
  client: Client;
  taskQueue: string;
  sim: RunningSimulator;
  /** Polls the status query until `predicate` holds. */
  waitFor(request: PaymentRequest, predicate: (s: PaymentStatus) => boolean): Promise<PaymentStatus>;
}

/** One saga path of the corpus: a file `test/histories/<name>.json`. */
export interface HistoryPath {
  name: string;
  /** The state the workflow closes with, checked after the run so a broken recording is never saved. */
  finalState: PaymentStatus['state'];
  timing?: TimingOverrides;
  scenario?: Scenario;
  /** Drives the payment; the recorder then waits for the workflow to close. */
  run(ctx: RecordingContext, request: PaymentRequest): Promise<void>;
}

const payOnly = async ({ payments }: RecordingContext, request: PaymentRequest) => {
  await payments.pay(request);
};

export const HISTORY_PATHS: HistoryPath[] = [
  { name: 'happy', finalState: 'PAID', run: payOnly },
  {
    name: 'definite-failure',
    finalState: 'FAILED',
    scenario: { pay: { result: 'PAY_FAIL', errorCode: 'EXPIRED_BARCODE' } },
    run: payOnly,
  },
  {
    name: 'in-progress-then-paid',
    finalState: 'PAID',
    scenario: { pay: { result: 'PAY_IN_PROGRESS', settle: { to: 'PAID', afterQueries: 2 } } },
    run: payOnly,
  },
  {
    name: 'in-progress-then-pay-canceled',
    finalState: 'FAILED',
    scenario: { pay: { result: 'PAY_IN_PROGRESS', settle: { to: 'PAY_CANCELED', afterQueries: 2 } } },
    run: payOnly,
  },
  {
    name: 'in-progress-then-canceled',
    finalState: 'CANCELED',
    scenario: { pay: { result: 'PAY_IN_PROGRESS' } },
    run: payOnly,
  },
  {
    name: 'pay-answer-lost-then-canceled',
    finalState: 'CANCELED',
    scenario: { pay: { fault: 'reset', commit: true, result: 'PAY_IN_PROGRESS' } },
    run: payOnly,
  },
  {
    name: 'cancel-retried',
    finalState: 'CANCELED',
    scenario: { pay: { result: 'PAY_IN_PROGRESS' }, cancel: ['CANCEL_IN_PROGRESS', 'CANCEL_ERROR', 'normal'] },
    run: payOnly,
  },
  {
    name: 'needs-attention-then-resolved',
    finalState: 'PAID',
    timing: ONE_CONFIRM_QUERY,
    scenario: {
      pay: { result: 'PAY_IN_PROGRESS', settle: { to: 'PAID', afterQueries: 2 } },
      cancel: [UPAY_TCP_ORDER_NOT_REFUNDABLE],
    },
    async run(ctx, request) {
      await ctx.payments.pay(request);
      await ctx.waitFor(request, (s) => s.state === 'NEEDS_ATTENTION');
      await ctx.payments.resolve(request, {
        operator: 'ops-lead',
        resolution: 'PAID',
        note: 'customer keeps the goods',
      });
    },
  },
  {
    name: 'revoke-by-signal',
    finalState: 'REVOKED',
    async run(ctx, request) {
      await ctx.payments.pay(request);
      await ctx.payments.revokeBySignal(request, OPERATOR);
      await ctx.waitFor(request, (s) => s.state === 'REVOKED');
    },
  },
  {
    name: 'revoke-by-update',
    finalState: 'REVOKED',
    async run(ctx, request) {
      await ctx.payments.pay(request);
      await ctx.payments.revoke(request, OPERATOR);
    },
  },
  {
    name: 'revoke-refused',
    finalState: 'PAID',
    scenario: { revoke: [UPAY_TCP_ORDER_NOT_REFUNDABLE] },
    async run(ctx, request) {
      await ctx.payments.pay(request);
      await ctx.payments.revoke(request, OPERATOR);
    },
  },
  {
    name: 'revoke-before-outcome',
    finalState: 'REVOKED',
    scenario: { pay: { result: 'PAY_IN_PROGRESS', settle: { to: 'PAID', afterQueries: 2 } } },
    async run(ctx, request) {
      const paying = ctx.payments.pay(request);
      await ctx.waitFor(request, (s) => s.state === 'CONFIRMING');
      await ctx.payments.revokeBySignal(request, OPERATOR);
      await paying;
    },
  },
  // Paths the money rules (patch `money-rules`, 2026-12-02) added or changed.
  {
    name: 'paid-while-canceling-canceled-again',
    finalState: 'CANCELED',
    timing: ONE_CONFIRM_QUERY,
    // R2: the first cancel never arrives and the query after it shows PAID: cancel again, never PAID.
    scenario: {
      pay: { result: 'PAY_IN_PROGRESS', settle: { to: 'PAID', afterQueries: 2 } },
      cancel: [{ fault: 'reset', commit: false }],
    },
    run: payOnly,
  },
  {
    name: 'no-order-after-doubt',
    finalState: 'FAILED',
    // R5: nothing created, but "no such order" counts only once no pay of ours can still arrive.
    scenario: { pay: { fault: 'maintenance', commit: false } },
    run: payOnly,
  },
  {
    name: 'pay-doubt-from-its-answer',
    finalState: 'FAILED',
    // R5, patch pay-doubt-from-send: the pay's doubt counts from its answer (or its send deadline), not its start.
    scenario: { pay: { fault: 'maintenance', commit: false } },
    run: payOnly,
  },
  {
    name: 'revoke-held-back-refused',
    finalState: 'PAID',
    // Patch revoke-held-back-refused: asked 1.5 s before the window's end, the revoke cannot reach the
    // gateway in time (ARRIVAL_MARGIN_MS, 2 s): held back, never sent, REFUSED at once.
    timing: { ...RECORDING_TIMING, revokeWindowAfterMs: 3_000 },
    async run(ctx, request) {
      const { status } = await ctx.payments.pay(request);
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, status.startedAt + 1_500 - Date.now())));
      await ctx.payments.revoke(request, OPERATOR);
    },
  },
  {
    name: 'pay-not-sent',
    finalState: 'FAILED',
    // R5: past its send deadline pay is never sent.
    timing: { ...RECORDING_TIMING, paySendDeadlineMs: 1 },
    run: payOnly,
  },
  {
    name: 'another-order-settled-outside',
    finalState: 'SETTLED_OUTSIDE',
    // R1: CLIENT_SN_CONFLICT and the order under that client_sn is another amount: a person, nothing cancelled;
    // R7: the person settles it outside the gateway, with a reference.
    scenario: { existingOrder: { totalAmount: '1', status: 'PAID' } },
    async run(ctx, request) {
      await ctx.payments.pay(request);
      await ctx.waitFor(request, (s) => s.state === 'NEEDS_ATTENTION');
      await ctx.payments.resolve(request, {
        operator: 'ops-lead',
        resolution: 'SETTLED_OUTSIDE',
        note: 'another till used this order number; customer paid again by cash',
        reference: 'TICKET-7',
      });
    },
  },
  {
    name: 'cancel-deadline-in-doubt-waited-out',
    finalState: 'CANCELED',
    // R3: the cancel deadline passes while a cancel without an answer may still land; it is waited out by query.
    timing: { ...RECORDING_TIMING, cancelDeadlineAfterMs: 6_000 },
    scenario: {
      pay: { result: 'PAY_IN_PROGRESS' },
      cancel: [{ effectAfterMs: 1_500, reply: 'reset' }],
    },
    run: payOnly,
  },
  {
    name: 'revoke-in-doubt-then-revoked',
    finalState: 'REVOKED',
    // R3: the first revoke's answer is lost and it lands later; the revoke in between is refused.
    scenario: { revoke: [{ effectAfterMs: 1_500, reply: 'reset', othersMeanwhile: 'not-refundable' }] },
    async run(ctx, request) {
      await ctx.payments.pay(request);
      await ctx.payments.revoke(request, OPERATOR);
    },
  },
  {
    name: 'duplicate-start',
    finalState: 'PAID',
    async run({ payments }, request) {
      await payments.pay(request);
      await payments.pay(request);
    },
  },
  // Paths issue 15 added (patches cancel-request-compensates, recheck, reset-run-sends-no-pay).
  {
    name: 'cancel-before-outcome-compensated',
    finalState: 'CANCELED',
    // R6: a cancellation request while CONFIRMING means "do not take this money": cancel at once.
    timing: { ...RECORDING_TIMING, confirmIntervalMs: 2_000 },
    scenario: { pay: { result: 'PAY_IN_PROGRESS' } },
    async run(ctx, request) {
      const paying = ctx.payments.pay(request);
      await ctx.waitFor(request, (s) => s.state === 'CONFIRMING');
      await ctx.payments.abort(request);
      await paying;
    },
  },
  {
    name: 'cancel-while-paying-compensated',
    finalState: 'CANCELED',
    // R6: a cancellation request while pay is in flight: the pay runs to its end (PAY_SUCCESS), then is cancelled.
    scenario: { pay: { holdMs: 1_500 } },
    async run(ctx, request) {
      const paying = ctx.payments.pay(request);
      while (!ctx.sim.ledger().orders.some((o) => o.client_sn === request.clientSn))
        await new Promise((r) => setTimeout(r, 50));
      await ctx.payments.abort(request);
      await paying;
    },
  },
  {
    name: 'cancel-before-pay-not-sent',
    finalState: 'FAILED',
    // R6: a cancellation request that arrives before pay is sent: pay is never sent.
    async run(ctx, request) {
      const handle = await ctx.client.workflow.start('paymentSaga', {
        workflowId: paymentWorkflowId(request.terminalSn, request.clientSn),
        taskQueue: ctx.taskQueue,
        args: [request],
      });
      await handle.cancel();
    },
  },
  {
    name: 'cancel-on-paid-ignored',
    finalState: 'PAID',
    // R6: on PAID a cancellation request is recorded in status.ignored ("use revoke") and changes nothing.
    async run(ctx, request) {
      await ctx.payments.pay(request);
      await ctx.payments.abort(request);
    },
  },
  {
    name: 'recheck-while-confirming-paid',
    finalState: 'PAID',
    // The customer says they paid: a recheck is one more confirm query now.
    timing: { ...RECORDING_TIMING, confirmIntervalMs: 4_000 },
    scenario: { pay: { result: 'PAY_IN_PROGRESS', settle: { to: 'PAID', afterMs: 200 } } },
    async run(ctx, request) {
      const paying = ctx.payments.pay(request);
      await ctx.waitFor(request, (s) => s.state === 'CONFIRMING');
      await new Promise((r) => setTimeout(r, 400));
      await ctx.payments.recheck(request, { operator: 'ops-li', note: 'customer shows the receipt' });
      await paying;
    },
  },
  {
    name: 'recheck-on-paid-agrees',
    finalState: 'PAID',
    // A recheck after the outcome (hold): the gateway agrees, nothing changes.
    async run(ctx, request) {
      await ctx.payments.pay(request);
      await ctx.payments.recheckBySignal(request, { operator: 'ops-li' });
      await ctx.waitFor(request, (s) => s.rechecks?.[0]?.answeredAt !== undefined);
    },
  },
  {
    name: 'reset-run-queries-not-pays',
    finalState: 'PAID',
    // A reset to the first workflow task after PAID: the reset run sends no second pay; it queries.
    async run(ctx, request) {
      await ctx.payments.pay(request);
      const workflowId = paymentWorkflowId(request.terminalSn, request.clientSn);
      const { runId } = await ctx.client.workflow.getHandle(workflowId).describe();
      const history = await ctx.client.workflow.getHandle(workflowId, runId).fetchHistory();
      const firstTask = history.events!.find((e) => e.workflowTaskCompletedEventAttributes)!;
      await ctx.client.workflowService.resetWorkflowExecution({
        namespace: 'default',
        workflowExecution: { workflowId, runId },
        reason: 'history corpus: reset after pay',
        workflowTaskFinishEventId: firstTask.eventId,
        requestId: randomUUID(),
      });
    },
  },
  // Issue #16 part 3 (patch payment-knows-refunds): the payment knows the refunds of its open order.
  {
    name: 'refund-recorded-close-agrees',
    finalState: 'PAID',
    // A partial refund the same day, told by its refund workflow: the check at close expects PARTIAL_REFUNDED.
    async run(ctx, request) {
      await ctx.payments.pay(request);
      await refundOf(ctx, request, 500);
    },
  },
  {
    name: 'revoke-after-refund-refused',
    finalState: 'PAID',
    // A revoke after a refund told of: REFUSED "refunded: use refund", nothing sent; the close agrees.
    async run(ctx, request) {
      await ctx.payments.pay(request);
      await refundOf(ctx, request, 300);
      await ctx.payments.revokeBySignal(request, OPERATOR);
      await ctx.waitFor(request, (s) => s.revoke?.status === 'REFUSED');
    },
  },
  {
    name: 'revoke-look-sees-refund',
    finalState: 'PARTIAL_REFUNDED',
    // A refund the payment was not told of (the back office): the revoke's look sees PARTIAL_REFUNDED and
    // refuses it unsent; the check at close disagrees (R7), a person resolves PARTIAL_REFUNDED, the check agrees.
    async run(ctx, request) {
      await ctx.payments.pay(request);
      await backOfficeRefund(ctx, request, 200);
      await ctx.payments.revokeBySignal(request, OPERATOR);
      await ctx.waitFor(request, (s) => s.state === 'NEEDS_ATTENTION');
      await ctx.payments.resolve(request, {
        operator: 'ops-lead',
        resolution: 'PARTIAL_REFUNDED',
        note: 'back office refunded ¥2.00 by hand',
      });
    },
  },
  {
    name: 'resolved-kept-refund-given-back',
    finalState: 'PAID',
    timing: ONE_CONFIRM_QUERY,
    // "Money kept, give it back": the resolve carries a refund; the payment starts it as a child refundSaga,
    // waits for it, and closes once the gateway shows the order REFUNDED.
    scenario: {
      pay: { result: 'PAY_IN_PROGRESS', settle: { to: 'PAID', afterQueries: 2 } },
      cancel: [UPAY_TCP_ORDER_NOT_REFUNDABLE],
    },
    async run(ctx, request) {
      await ctx.payments.pay(request);
      await ctx.waitFor(request, (s) => s.state === 'NEEDS_ATTENTION');
      await ctx.payments.resolve(request, {
        operator: 'ops-lead',
        resolution: 'PAID',
        note: 'the customer gets it back',
        refund: { refundRequestNo: 'G-given-back', amountFen: request.amountFen },
      });
    },
  },
];

/** A refund of the paid order by its refund workflow, run to its end while the payment is open. */
async function refundOf(ctx: RecordingContext, request: PaymentRequest, amountFen: number): Promise<void> {
  const refunds = new RefundsClient(ctx.client, ctx.taskQueue);
  const refund = {
    terminalSn: request.terminalSn,
    clientSn: request.clientSn,
    refundRequestNo: `R-${request.clientSn.slice(-12)}`,
    amountFen,
    operator: 'returns-desk-1',
    reason: 'customer returned the goods',
    timing: { retryDelaysMs: [1_000], deadlineAfterMs: 4_000, requestDoubtMs: 1_000, checkIntervalMs: 300 },
  };
  await refunds.refund(refund);
  const final = await refunds.result(refund);
  if (final.state !== 'REFUNDED') throw new Error(`refund of ${request.clientSn} ended ${final.state}`);
}

/** A refund made outside the saga (the merchant's back office): a signed call straight to the simulator. */
async function backOfficeRefund(ctx: RecordingContext, request: PaymentRequest, amountFen: number): Promise<void> {
  const { terminalSn, terminalKey } = RECORDING_TERMINAL;
  const body = JSON.stringify({
    terminal_sn: terminalSn,
    client_sn: request.clientSn,
    refund_request_no: 'BACKOFFICE-1',
    refund_amount: String(amountFen),
    operator: 'back-office',
  });
  const res = await fetch(`${ctx.sim.url}/upay/v2/refund`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: authorizationHeader(terminalSn, body, terminalKey) },
    body,
  });
  const answer = (await res.json()) as { biz_response?: { result_code?: string } };
  if (answer.biz_response?.result_code !== 'REFUND_SUCCESS')
    throw new Error(`back-office refund of ${request.clientSn}: ${JSON.stringify(answer)}`);
}

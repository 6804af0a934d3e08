import type { PaymentsClient } from '../../client/payments-client';
import type { RunningSimulator, Scenario } from '../../simulator';
import { UPAY_TCP_ORDER_NOT_REFUNDABLE } from '../../simulator';
import type { PaymentRequest, PaymentStatus, RevokeRequest, TimingOverrides } from '../../workflows/types';

/** The terminal the corpus is recorded with. The secrets test checks its key never reaches a history. */
export const RECORDING_TERMINAL = { terminalSn: '100000000000000077', terminalKey: 'c0ffee00deadbeef0123456789abcdef' };

/** Short timing so every path closes within seconds (the revoke window included), with room for all paths at once. */
export const RECORDING_TIMING: TimingOverrides = {
  confirmIntervalMs: 500,
  confirmWindowMs: 3_000,
  cancelDelaysMs: [1_000, 1_000],
  cancelDeadlineAfterMs: 10_000,
  revokeWindowAfterMs: 8_000,
  requestDoubtMs: 2_000,
};

/** One confirm query only, so a scenario's "N-th query" lands in the cancel phase. */
const ONE_CONFIRM_QUERY: TimingOverrides = { ...RECORDING_TIMING, confirmWindowMs: 200 };

const OPERATOR: RevokeRequest = { operator: 'ops-wang', reason: 'customer returned the goods' };

export interface RecordingContext {
  payments: PaymentsClient;
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
  {
    name: 'duplicate-start',
    finalState: 'PAID',
    async run({ payments }, request) {
      await payments.pay(request);
      await payments.pay(request);
    },
  },
];

import type { PaymentsClient } from '../../client/payments-client';
import type { PaymentRequest, PaymentState, PaymentStatus, TimingOverrides } from '../../workflows/types';

/** Seconds, not the production 45 s, so the demo finishes while you watch. Recorded in each history. */
const DEMO_TIMING: TimingOverrides = {
  confirmIntervalMs: 1_000,
  confirmWindowMs: 6_000,
  cancelDelaysMs: [2_000, 4_000],
};

export interface DemoStep {
  title: string;
  /** Simulator barcode (simulator/README.md) choosing the gateway's behaviour. */
  dynamicId: string;
  expected: PaymentState;
  /** What an operator does once the pay outcome is known. */
  afterOutcome?: (payments: PaymentsClient, request: PaymentRequest) => Promise<void>;
}

export const DEMO_STEPS: DemoStep[] = [
  { title: 'happy path', dynamicId: '130818341921441147', expected: 'PAID' },
  { title: 'in progress → paid', dynamicId: 'sim-in-progress-paid-2', expected: 'PAID' },
  { title: 'unknown (500) → canceled', dynamicId: 'sim-500', expected: 'CANCELED' },
  {
    title: 'paid → revoked by signal',
    dynamicId: '130818341921441147',
    expected: 'REVOKED',
    afterOutcome: (payments, request) =>
      payments.revokeBySignal(request, { operator: 'demo-ops', reason: 'customer returned the goods' }),
  },
  {
    title: 'needs attention → resolved',
    dynamicId: 'sim-in-progress-not-refundable',
    expected: 'FAILED',
    afterOutcome: async (payments, request) => {
      await new Promise((r) => setTimeout(r, 2_000)); // an operator takes a look
      await payments.resolve(request, {
        operator: 'demo-ops',
        resolution: 'FAILED',
        note: 'customer paid another way; gateway order never settled',
      });
    },
  },
];

export interface DemoPayment {
  step: DemoStep;
  request: PaymentRequest;
  workflowId?: string;
  status?: PaymentStatus;
  error?: string;
  done: boolean;
}

export function demoRequest(step: DemoStep, terminalSn: string, runTag: string, index: number): PaymentRequest {
  return {
    terminalSn,
    clientSn: `demo-${runTag}-${index + 1}`,
    amountFen: 100 * (index + 1),
    dynamicId: step.dynamicId,
    subject: `demo: ${step.title}`,
    operator: 'demo-cashier',
    timing: DEMO_TIMING,
  };
}

/** Pays, waits for the outcome, lets the operator act, and waits until the expected state shows. */
export async function runStep(payments: PaymentsClient, payment: DemoPayment): Promise<void> {
  try {
    const result = await payments.pay(payment.request, { waitMs: 60_000 });
    payment.workflowId = result.workflowId;
    if (payment.step.afterOutcome) {
      payment.status = await payments.waitFor(
        payment.request,
        (s) => s.state === 'PAID' || s.state === 'NEEDS_ATTENTION',
        { timeoutMs: 60_000 },
      );
      await payment.step.afterOutcome(payments, payment.request);
    }
    payment.status = await payments.waitFor(payment.request, (s) => s.state === payment.step.expected, {
      timeoutMs: 60_000,
    });
  } catch (err) {
    payment.error = err instanceof Error ? err.message : String(err);
  } finally {
    payment.done = true;
  }
}

import { WorkflowNotFoundError } from '@temporalio/client';
import type { PaymentsClient } from '../../client/payments-client';
import { DEMO_STEPS, demoRequest, runStep, type DemoPayment } from './script';
import { ProgressView, summary } from './view';

export interface DemoOptions {
  payments: PaymentsClient;
  terminalSn: string;
  uiUrl: string;
  out: NodeJS.WritableStream & { isTTY?: boolean };
  /** Makes this run's client_sn unique (default: the time). */
  runTag?: string;
}

/** Runs the scripted payments side by side with a live view; resolves true when every one ended as expected. */
export async function runDemo(opts: DemoOptions): Promise<{ ok: boolean; payments: DemoPayment[] }> {
  const tag = opts.runTag ?? Date.now().toString(36);
  const payments: DemoPayment[] = DEMO_STEPS.map((step, i) => ({
    step,
    request: demoRequest(step, opts.terminalSn, tag, i),
    done: false,
  }));
  const view = new ProgressView(opts.out);
  let running = true;
  const watching = (async () => {
    while (running) {
      await Promise.all(payments.filter((p) => !p.done).map((p) => refresh(opts.payments, p)));
      view.render(payments);
      await new Promise((r) => setTimeout(r, 300));
    }
  })();
  await Promise.all(payments.map((p) => runStep(opts.payments, p)));
  running = false;
  await watching;
  view.render(payments);
  opts.out.write(`\n${summary(payments, opts.uiUrl)}\n`);
  return { ok: payments.every((p) => !p.error && p.status?.state === p.step.expected), payments };
}

/** The live status of a payment in flight (not found yet = not started yet). */
async function refresh(payments: PaymentsClient, payment: DemoPayment): Promise<void> {
  try {
    payment.status = await payments.status(payment.request);
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
}

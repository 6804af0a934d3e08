import { Client, Connection } from '@temporalio/client';
import {
  NativeConnection,
  bundleWorkflowCode,
  type Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { createPaymentWorker } from '../../worker/create-worker';
import { PaymentsClient } from '../../client/payments-client';
import { startSimulator, type RunningSimulator } from '../../simulator';
import type { PaymentRequest, PaymentStatus, TimingOverrides } from '../../workflows/types';

export const TERMINAL_SN = '100000000000000042';
export const TERMINAL_KEY = 'a3f1c9e2b4d6f8a0c2e4b6d8f0a2c4e6';

/** Short timing so every saga path runs in seconds against the real dev server. */
export const FAST_TIMING: TimingOverrides = {
  confirmIntervalMs: 300,
  confirmWindowMs: 1_500,
  cancelDelaysMs: [300, 600],
  cancelDeadlineAfterMs: 8_000,
  revokeWindowAfterMs: 6_000,
};

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** The workflow bundle, built once per test file (webpack takes about a second). */
function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: quietLogger });
  return bundle;
}

const noop = () => undefined;
const quietLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };

/**
 * The real parts, wired as in production: the Temporal dev server started by the jest global setup,
 * the gateway simulator over HTTP, the real worker and the real client library.
 */
export interface SagaStack {
  sim: RunningSimulator;
  client: Client;
  payments: PaymentsClient;
  worker: Worker;
  taskQueue: string;
  stop(): Promise<void>;
}

export async function startSagaStack(): Promise<SagaStack> {
  const address = process.env.TEMPORAL_TEST_ADDRESS;
  if (!address) throw new Error('TEMPORAL_TEST_ADDRESS is not set: run through jest (test/global-setup.ts)');
  const sim = await startSimulator({ port: 0, terminals: [{ terminalSn: TERMINAL_SN, terminalKey: TERMINAL_KEY }] });
  const taskQueue = `saga-${process.pid}-${Date.now()}`;
  const nativeConnection = await NativeConnection.connect({ address });
  const worker = await createPaymentWorker({
    connection: nativeConnection,
    config: { apiDomain: sim.url, terminals: [{ terminalSn: TERMINAL_SN, terminalKey: TERMINAL_KEY }], taskQueue },
    workflowBundle: await workflowBundle(),
  });
  const running = worker.run();
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  return {
    sim,
    client,
    payments: new PaymentsClient(client, taskQueue),
    worker,
    taskQueue,
    async stop() {
      worker.shutdown();
      await running;
      await nativeConnection.close();
      await connection.close();
      await sim.close();
    },
  };
}

let counter = 0;

/** A fresh payment request with a unique client_sn. */
export function newPayment(overrides: Partial<PaymentRequest> = {}): PaymentRequest {
  counter += 1;
  return {
    terminalSn: TERMINAL_SN,
    clientSn: `T${Date.now().toString(36)}${process.pid.toString(36)}${counter}`.slice(0, 32),
    amountFen: 1234,
    dynamicId: '130818341921441147',
    subject: '测试商品',
    operator: 'cashier-01',
    timing: FAST_TIMING,
    ...overrides,
  };
}

/** The gateway's view of one order, for the "no 单边账" checks. */
export function ledgerOrder(sim: RunningSimulator, clientSn: string) {
  return sim.ledger().orders.find((o) => o.client_sn === clientSn);
}

/** Money kept at the gateway must match the saga's state exactly (PAID ⇔ kept). */
export function expectNoOneSidedAccount(sim: RunningSimulator, status: PaymentStatus): void {
  const order = ledgerOrder(sim, status.clientSn);
  const kept = order?.kept_fen ?? 0;
  if (status.state === 'PAID') expect(kept).toBe(status.amountFen);
  else if (status.state === 'NEEDS_ATTENTION') expect(status.escalation?.reason).toBeTruthy();
  else expect(kept).toBe(0);
  const counters = sim.ledger().counters;
  expect(counters.pay_calls_by_client_sn[status.clientSn] ?? 0).toBeLessThanOrEqual(1);
  if (order) expect(counters.reversals_by_sn[order.sn] ?? 0).toBeLessThanOrEqual(1);
}

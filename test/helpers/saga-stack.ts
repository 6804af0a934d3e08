import { Client, Connection } from '@temporalio/client';
import {
  NativeConnection,
  bundleWorkflowCode,
  type Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { createPaymentWorker } from '../../worker/create-worker';
import { bookViolations } from './books';
import { TEST_GATEWAY_TIMEOUTS } from './gateway-timeouts';
import { PaymentsClient } from '../../client/payments-client';
import { startSimulator, type RunningSimulator } from '../../simulator';
import { statusQuery } from '../../workflows/definitions';
import { AmountFenKey, ClientSnKey, PaymentStateKey, SnKey, TerminalSnKey } from '../../workflows/search-attributes';
import {
  paymentWorkflowId,
  type PaymentRequest,
  type PaymentStatus,
  type TimingOverrides,
} from '../../workflows/types';

export const TERMINAL_SN = '100000000000000042';
export const TERMINAL_KEY = 'a3f1c9e2b4d6f8a0c2e4b6d8f0a2c4e6';

/**
 * Short timing so every saga path runs in seconds against the real dev server. The confirm window
 * fits several queries even on a loaded CI machine (a scenario that settles on the 2nd query must
 * see it inside the window); it costs nothing when the answer comes early.
 */
export const FAST_TIMING: TimingOverrides = {
  confirmIntervalMs: 300,
  confirmWindowMs: 3_000,
  cancelDelaysMs: [1_000, 1_000],
  cancelDeadlineAfterMs: 8_000,
  revokeWindowAfterMs: 6_000,
  requestDoubtMs: 2_000,
};

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;

/** The workflow bundle, built once per test file (webpack takes about a second). */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
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
  const { worker } = await createPaymentWorker({
    connection: nativeConnection,
    config: { apiDomain: sim.url, terminals: [{ terminalSn: TERMINAL_SN, terminalKey: TERMINAL_KEY }], taskQueue },
    workflowBundle: await workflowBundle(),
    gatewayTimeouts: TEST_GATEWAY_TIMEOUTS,
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

/**
 * The stack for one test file: started before its tests, stopped after. The returned object is
 * filled in by `beforeAll`, so tests read it as usual (`stack.sim`, `stack.payments`).
 */
export function useSagaStack(): SagaStack {
  const stack = {} as SagaStack;
  beforeAll(async () => {
    Object.assign(stack, await startSagaStack());
  });
  afterAll(async () => {
    await stack.stop?.();
  });
  return stack;
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

/**
 * The checks every saga test ends with: the status query, the search attributes and the gateway's
 * ledger agree, and there is no 单边账, no second pay, no second reversal.
 */
export async function expectConsistent(stack: SagaStack, status: PaymentStatus): Promise<void> {
  expectNoOneSidedAccount(stack.sim, status);
  const handle = stack.client.workflow.getHandle(paymentWorkflowId(status.terminalSn, status.clientSn));
  const live = await handle.query(statusQuery);
  const attributes = (await handle.describe()).typedSearchAttributes;
  expect(attributes.get(PaymentStateKey)).toBe(live.state);
  expect(attributes.get(ClientSnKey)).toBe(status.clientSn);
  expect(attributes.get(TerminalSnKey)).toBe(status.terminalSn);
  expect(attributes.get(AmountFenKey)).toBe(status.amountFen);
  if (live.sn) expect(attributes.get(SnKey)).toBe(live.sn);
}

/** Polls the status query until `predicate` holds (signals are asynchronous). */
export async function waitForStatus(
  stack: SagaStack,
  ref: { terminalSn: string; clientSn: string },
  predicate: (s: PaymentStatus) => boolean,
  timeoutMs = 20_000,
): Promise<PaymentStatus> {
  return stack.payments.waitFor(ref, predicate, { timeoutMs });
}

/** Money kept at the gateway must match the saga's state exactly (PAID ⇔ kept); no second pay or reversal. */
export function expectNoOneSidedAccount(sim: RunningSimulator, status: PaymentStatus): void {
  expect(bookViolations(status, sim.ledger())).toEqual([]);
}

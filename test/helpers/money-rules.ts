import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { NativeConnection, type Worker } from '@temporalio/worker';
import { authorizationHeader } from '../../activities/gateway/signing';
import type { PaymentsClient, PaymentRef } from '../../client/payments-client';
import type { LedgerOrder, LedgerView, PendingView, RequestLogEntry, Scenario } from '../../simulator';
import { createPaymentWorker } from '../../worker/create-worker';
import { statusQuery } from '../../workflows/definitions';
import { AmountFenKey, ClientSnKey, PaymentStateKey, SnKey, TerminalSnKey } from '../../workflows/search-attributes';
import { paymentWorkflowId, type PaymentStatus, type TimingOverrides } from '../../workflows/types';
import { bookViolations } from './books';
import { TEST_GATEWAY_TIMEOUTS } from './gateway-timeouts';
import { TERMINAL_KEY, TERMINAL_SN, workflowBundle, type SagaStack } from './saga-stack';

/**
 * Helpers for the money-rules tests (test/integration/money-rules/): the simulator driven over HTTP
 * (its control API and its signed gateway API), what the checkout and the operator were told, and
 * the books once every delayed effect has landed.
 */

/**
 * Short timing at the admission's floors (cancel delays ≥ 1 s, confirm interval ≥ 200 ms); each test
 * stretches what its rule needs (the doubt window, the revoke window).
 */
export const RULE_TIMING = {
  confirmIntervalMs: 300,
  confirmWindowMs: 1_000,
  cancelDelaysMs: [1_000],
  cancelDeadlineAfterMs: 20_000,
  revokeWindowAfterMs: 4_000,
  requestDoubtMs: 3_000,
} as const satisfies TimingOverrides;

// --- the simulator's control API, over HTTP ---

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function postJson<T>(url: string, body: unknown): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`POST ${url}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Attaches a scenario to a client_sn through `POST /_sim/scenarios` (validated by the simulator). */
export async function postScenario(sim: { url: string }, clientSn: string, scenario: Scenario): Promise<void> {
  await postJson(`${sim.url}/_sim/scenarios`, { client_sn: clientSn, scenario });
}

/** `GET /_sim/ledger`: orders, request log, pending effects, counters. */
export function fetchLedger(sim: { url: string }): Promise<LedgerView> {
  return getJson<LedgerView>(`${sim.url}/_sim/ledger`);
}

/** `GET /_sim/pending`: accepted effects not in the books yet. */
export function fetchPending(sim: { url: string }): Promise<{ count: number; pending: PendingView[] }> {
  return getJson(`${sim.url}/_sim/pending`);
}

/**
 * Waits until `GET /_sim/pending` is empty (every delayed reversal and late request has landed), then
 * returns the books. Judging them earlier would judge a gateway that has not finished.
 */
export async function finalBooks(sim: { url: string }, timeoutMs = 30_000): Promise<LedgerView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { count, pending } = await fetchPending(sim);
    if (count === 0) return fetchLedger(sim);
    if (Date.now() > deadline)
      throw new Error(`effects still pending after ${timeoutMs} ms: ${JSON.stringify(pending)}`);
    await sleep(200);
  }
}

/**
 * A signed upay v2 call from the test, as the merchant's back office or 收钱吧 support would make one
 * (to put an order in a state, R7). Returns the parsed envelope.
 */
export async function gatewayCall(
  sim: { url: string },
  endpoint: 'query' | 'cancel' | 'revoke' | 'refund',
  fields: Record<string, string>,
): Promise<{
  result_code: string;
  biz_response?: { result_code: string; error_code?: string; data?: Record<string, string> };
}> {
  const body = JSON.stringify({ terminal_sn: TERMINAL_SN, ...fields });
  const res = await fetch(`${sim.url}/upay/v2/${endpoint}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: authorizationHeader(TERMINAL_SN, body, TERMINAL_KEY),
    },
    body,
  });
  if (!res.ok) throw new Error(`${endpoint}: HTTP ${res.status}`);
  return (await res.json()) as never;
}

// --- the books ---

/** Every order the gateway holds under this client_sn, on any terminal (merchant scope shows them all). */
export function ordersUnder(ledger: LedgerView, clientSn: string): LedgerOrder[] {
  return ledger.orders.filter((o) => o.client_sn === clientSn);
}

/** This payment's order: its client_sn on its own terminal. */
export function ownOrder(ledger: LedgerView, ref: PaymentRef): LedgerOrder | undefined {
  return ledger.orders.find((o) => o.client_sn === ref.clientSn && o.terminal_sn === ref.terminalSn);
}

/**
 * Every gateway request that named this client_sn, or the sn of an order under it (cancel, revoke and
 * query go by sn once the saga knows it), optionally of one endpoint.
 */
export function requestsAbout(ledger: LedgerView, clientSn: string, endpoint?: string): RequestLogEntry[] {
  const sns = new Set(ordersUnder(ledger, clientSn).map((o) => o.sn));
  return ledger.requests.filter(
    (r) =>
      (r.client_sn === clientSn || (r.sn !== undefined && sns.has(r.sn))) &&
      (endpoint === undefined || r.endpoint === endpoint),
  );
}

/** The causes of an order's moves, e.g. `['pay', 'customer-paid', 'cancel']`. */
export function historyOf(order: LedgerOrder | undefined): string[] {
  return (order?.history ?? []).map((h) => `${h.from ?? '∅'}→${h.to}:${h.cause}`);
}

/**
 * The books against a payment, including the states only an operator's resolution reaches (R7). The
 * production check (books.ts `bookViolations`, i.e. scripts/reconcile `comparePayment`) judges PAID,
 * FAILED, CANCELED and REVOKED, and calls REFUNDED, PARTIAL_REFUNDED and SETTLED_OUTSIDE "open"; here
 * REFUNDED must have given everything back, PARTIAL_REFUNDED part of it (kept = amount − refunded), and
 * SETTLED_OUTSIDE must carry a reference and the gateway's word at close as the books show it (the
 * disagreement stays visible). Returns violations.
 */
export function resolvedBookViolations(status: PaymentStatus, ledger: LedgerView): string[] {
  const order = ownOrder(ledger, status);
  const refunded = order?.refunded_fen ?? 0;
  const kept = order?.kept_fen ?? 0;
  const v: string[] = [];
  switch (status.state) {
    case 'REFUNDED':
      if (refunded !== status.amountFen || kept !== 0) v.push(`REFUNDED, gateway refunded ${refunded}, kept ${kept}`);
      break;
    case 'PARTIAL_REFUNDED':
      if (!(refunded > 0 && refunded < status.amountFen && kept === status.amountFen - refunded))
        v.push(`PARTIAL_REFUNDED, gateway refunded ${refunded}, kept ${kept}`);
      break;
    case 'SETTLED_OUTSIDE': {
      const atClose = status.resolution?.gatewayAtClose?.orderStatus;
      if (!status.resolution?.reference) v.push('SETTLED_OUTSIDE without a reference');
      if (atClose === undefined) v.push('SETTLED_OUTSIDE without the gateway at close');
      else if (order && atClose !== order.order_status)
        v.push(`SETTLED_OUTSIDE: gateway at close ${atClose}, books ${order.order_status}`);
      break;
    }
    default:
      return bookViolations(status, ledger);
  }
  const pays = ledger.counters.pay_calls_by_client_sn[status.clientSn] ?? 0;
  if (pays > 1) v.push(`client_sn paid ${pays} times`);
  if (order && (ledger.counters.reversals_by_sn[order.sn] ?? 0) > 1) v.push('order reversed twice');
  return v;
}

/**
 * saga-stack's `expectConsistent` for every closing state: the books as `resolvedBookViolations` judges
 * them (read over HTTP once nothing is pending), and the status query and search attributes agree.
 */
export async function expectClosedConsistently(stack: SagaStack, status: PaymentStatus): Promise<void> {
  expect(resolvedBookViolations(status, await finalBooks(stack.sim))).toEqual([]);
  const handle = stack.client.workflow.getHandle(paymentWorkflowId(status.terminalSn, status.clientSn));
  const live = await handle.query(statusQuery);
  const attributes = (await handle.describe()).typedSearchAttributes;
  expect(attributes.get(PaymentStateKey)).toBe(live.state);
  expect(attributes.get(ClientSnKey)).toBe(status.clientSn);
  expect(attributes.get(TerminalSnKey)).toBe(status.terminalSn);
  expect(attributes.get(AmountFenKey)).toBe(status.amountFen);
  if (live.sn) expect(attributes.get(SnKey)).toBe(live.sn);
}

// --- what the checkout and the operator were told ---

/** Every status the test saw while polling: the checkout's and the operator's view over time. */
export interface StatusWatch {
  seen: PaymentStatus[];
  /** Stops polling, once the last poll has finished, and looks once more (the state it ended in). */
  stop(): Promise<PaymentStatus[]>;
}

/**
 * Polls the status query every `intervalMs` (a checkout polling `payments.status`, an operator
 * watching the Web UI) and keeps every answer, until stopped or the workflow is gone.
 */
export function watchStatus(payments: PaymentsClient, ref: PaymentRef, intervalMs = 50): StatusWatch {
  const seen: PaymentStatus[] = [];
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        seen.push(await payments.status(ref));
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
      await sleep(intervalMs);
    }
  })();
  return {
    seen,
    async stop() {
      stopped = true;
      await loop;
      // One more look: the last poll may predate the last state change (a query answered just before a
      // payment moved and closed, on a loaded machine), and a closed workflow still answers.
      try {
        seen.push(await payments.status(ref));
      } catch (err) {
        if (!(err instanceof WorkflowNotFoundError)) throw err;
      }
      return seen;
    },
  };
}

/** Distinct states in the order first seen, e.g. `['PAYING', 'CONFIRMING', 'CANCELING', 'CANCELED']`. */
export function statesSeen(seen: readonly PaymentStatus[]): string[] {
  return seen.map((s) => s.state).filter((s, i, all) => i === 0 || all[i - 1] !== s);
}

// --- Temporal ---

/** Terminates a payment left open on purpose (it would otherwise wait for a person or the end of the day). */
export async function terminateIfOpen(client: Client, ref: PaymentRef, reason: string): Promise<void> {
  const handle = client.workflow.getHandle(paymentWorkflowId(ref.terminalSn, ref.clientSn));
  try {
    if ((await handle.describe()).status.name === 'RUNNING') await handle.terminate(reason);
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
}

/**
 * A second real payment worker on its own task queue, against the same simulator: started when a test
 * says so (e.g. after a payment waited in the queue past its pay send deadline, R5).
 */
export async function startWorkerOn(
  taskQueue: string,
  simUrl: string,
): Promise<{ worker: Worker; stop(): Promise<void> }> {
  const address = process.env.TEMPORAL_TEST_ADDRESS;
  if (!address) throw new Error('TEMPORAL_TEST_ADDRESS is not set: run through jest (test/global-setup.ts)');
  const connection = await NativeConnection.connect({ address });
  const { worker } = await createPaymentWorker({
    connection,
    config: { apiDomain: simUrl, terminals: [{ terminalSn: TERMINAL_SN, terminalKey: TERMINAL_KEY }], taskQueue },
    workflowBundle: await workflowBundle(),
    gatewayTimeouts: TEST_GATEWAY_TIMEOUTS,
  });
  const running = worker.run();
  return {
    worker,
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
    },
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

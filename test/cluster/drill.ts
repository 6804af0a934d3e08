import { Client, Connection } from '@temporalio/client';
import { PaymentsClient } from '../../client/payments-client';
import { ordersFromLedger, reconcile } from '../../scripts/reconcile/reconcile';
import { startSimulator, type ActionStep, type Scenario } from '../../simulator';
import {
  paymentWorkflowId,
  type PaymentRequest,
  type PaymentState,
  type PaymentStatus,
  type TimingOverrides,
} from '../../workflows/types';
import { TERMINAL_KEY, TERMINAL_SN, expectNoOneSidedAccount, newPayment } from '../helpers/saga-stack';
import { spawnWorker, type WorkerProcess } from '../helpers/worker-process';

/**
 * Timing of test/integration/crash-restart.test.ts, stretched for a cluster on a loaded machine: every
 * phase lasts 10 s or more (pay is held 20 s, the order settles 25 s after pay; under load the saga's
 * steps lag by as much), so all of them are running together when the crash comes, and a service that
 * takes seconds to come back does not push a payment past a window the case does not expect it to reach.
 */
const TIMING: TimingOverrides = {
  confirmIntervalMs: 500,
  confirmWindowMs: 60_000,
  cancelDelaysMs: [1_000],
  cancelDeadlineAfterMs: 150_000,
  revokeWindowAfterMs: 90_000,
  // A pay queued longer than the default 30 s is not sent: the machine may be that loaded.
  paySendDeadlineMs: 120_000,
};

/** Ten answers that settle nothing (10 s or more of retries on the 1 s schedule), then the real one. */
const UNSETTLED: ActionStep[] = Array.from({ length: 10 }, (_, i) =>
  i % 2 === 0 ? 'CANCEL_IN_PROGRESS' : 'CANCEL_ERROR',
);

export interface PhaseCase {
  /** The phase the payment is in when the crash comes. */
  atCrash: PaymentState;
  expected: PaymentState;
  scenario: Scenario;
  timing?: TimingOverrides;
  /** Revoked by signal (what the Web UI sends) once PAID. */
  revoke?: boolean;
}

/** One payment in each phase of the saga, and one already failed. */
export const PHASES: PhaseCase[] = [
  { atCrash: 'PAYING', expected: 'PAID', scenario: { pay: { holdMs: 20_000 } } },
  {
    atCrash: 'CONFIRMING',
    expected: 'PAID',
    scenario: { pay: { result: 'PAY_IN_PROGRESS', settle: { to: 'PAID', afterMs: 25_000 } } },
  },
  {
    atCrash: 'CANCELING',
    expected: 'CANCELED',
    scenario: { pay: { result: 'PAY_IN_PROGRESS' }, cancel: [...UNSETTLED] },
    timing: { confirmWindowMs: 400 },
  },
  { atCrash: 'REVOKING', expected: 'REVOKED', scenario: { revoke: [...UNSETTLED] }, revoke: true },
  { atCrash: 'FAILED', expected: 'FAILED', scenario: { pay: { result: 'PAY_FAIL' } } },
];

export interface DrillResult {
  crash: string;
  payments: number;
  /** From the first start to the crash (every payment in its phase). */
  crashAfterStartMs: number;
  /** How long the crash itself took: the kill, the time down, the restart until the frontend and history answer. */
  crashMs: number;
  /** From the crash to the last payment in its final state. */
  allFinalMs: number;
  /** Activities that died with their worker (ActivityTaskTimedOut in the histories). */
  activitiesTimedOut: number;
}

export interface DrillContext {
  workers: WorkerProcess[];
}

/**
 * One drill: a fresh simulator, two worker processes (`npm run worker`'s program) on a task queue of its own,
 * `perPhase` payments in each phase of {@link PHASES}; once every payment is in its phase, `crash` runs;
 * then every payment must reach its expected state, every checkout get its answer, the books show no
 * 单边账 and reconcile finds no discrepancy.
 */
export async function runDrill(
  address: string,
  name: string,
  perPhase: number,
  crash: (ctx: DrillContext) => Promise<void>,
): Promise<DrillResult> {
  const sim = await startSimulator({ port: 0, terminals: [{ terminalSn: TERMINAL_SN, terminalKey: TERMINAL_KEY }] });
  const workers: WorkerProcess[] = [];
  const connection = await Connection.connect({ address });
  try {
    const taskQueue = `drill-${name.replace(/\W+/g, '-')}-${Date.now()}`;
    const workerEnv = {
      TEMPORAL_ADDRESS: address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      SQB_API_DOMAIN: sim.url,
      SQB_TERMINAL_SN: TERMINAL_SN,
      SQB_TERMINAL_KEY: TERMINAL_KEY,
    };
    workers.push(...(await Promise.all([spawnWorker(workerEnv), spawnWorker(workerEnv)])));
    const client = new Client({ connection });
    const payments = new PaymentsClient(client, taskQueue);

    const cases = PHASES.flatMap((c) => Array.from({ length: c.atCrash === 'FAILED' ? 1 : perPhase }, () => c));
    const requests = cases.map((c) => {
      const request = newPayment({ timing: { ...TIMING, ...c.timing } });
      sim.setScenario(request.clientSn, c.scenario);
      return request;
    });
    const started = Date.now();
    // Checkouts waiting for their outcomes across the crash.
    const checkouts = Promise.allSettled(requests.map((r) => payments.pay(r, { waitMs: 300_000 })));
    await Promise.all(
      requests.map(async (r, i) => {
        if (!cases[i]!.revoke) return;
        await waitFor(payments, r, (s) => s.state === 'PAID', 60_000);
        await payments.revokeBySignal(r, { operator: 'ops', reason: `drill ${name}` });
      }),
    );
    // Crash only once every payment is in the phase its case is about.
    const wanted = cases.map((c) => c.atCrash);
    const phases = async () => (await Promise.all(requests.map((r) => payments.status(r)))).map((s) => s.state);
    const deadline = Date.now() + 60_000;
    let seen = await phases();
    while (JSON.stringify(seen) !== JSON.stringify(wanted) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      seen = await phases();
    }
    expect(seen).toEqual(wanted);

    const crashAt = Date.now();
    await crash({ workers });
    const crashMs = Date.now() - crashAt;

    const finals = await Promise.all(
      requests.map((r, i) => waitFor(payments, r, (s) => s.state === cases[i]!.expected, 240_000)),
    );
    const allFinalMs = Date.now() - crashAt;
    for (const status of finals) expectNoOneSidedAccount(sim, status);
    const books = reconcile(finals, ordersFromLedger(sim.ledger()));
    expect(books.discrepancies).toEqual([]);
    expect(books.open).toEqual([]);
    expect(books.matched).toBe(requests.length);
    // Every checkout got its answer despite the crash.
    const answers = await checkouts;
    expect(answers.map((a) => (a.status === 'fulfilled' ? a.value.outcomeKnown : String(a.reason)))).toEqual(
      requests.map(() => true),
    );
    return {
      crash: name,
      payments: requests.length,
      crashAfterStartMs: crashAt - started,
      crashMs,
      allFinalMs,
      activitiesTimedOut: await timedOutActivities(client, requests),
    };
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await connection.close();
    await sim.close();
  }
}

async function timedOutActivities(client: Client, requests: PaymentRequest[]): Promise<number> {
  let n = 0;
  for (const r of requests) {
    const history = await client.workflow.getHandle(paymentWorkflowId(r.terminalSn, r.clientSn)).fetchHistory();
    n += (history.events ?? []).filter((e) => e.activityTaskTimedOutEventAttributes).length;
  }
  return n;
}

/** Polls the status until `done`, riding out the seconds a service is down (a status query then fails). */
export async function waitFor(
  payments: PaymentsClient,
  request: PaymentRequest,
  done: (s: PaymentStatus) => boolean,
  timeoutMs: number,
): Promise<PaymentStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: PaymentStatus | undefined;
  for (;;) {
    last = await payments.status(request).catch(() => last);
    if (last && done(last)) return last;
    if (Date.now() > deadline)
      throw new Error(`${request.clientSn}: still ${last?.state}: ${JSON.stringify(last?.calls)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** One line per drill, for the log and the README. */
export function describeResult(r: DrillResult): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return (
    `${r.crash}: ${r.payments} payments, crash ${s(r.crashAfterStartMs)} after the first start, ` +
    `the crash took ${s(r.crashMs)}, every payment final ${s(r.allFinalMs)} after it` +
    `, ${r.activitiesTimedOut} activities timed out with their worker`
  );
}

import { Client, Connection } from '@temporalio/client';
import { PaymentsClient } from '../../client/payments-client';
import { ordersFromLedger, reconcile } from '../../scripts/reconcile/reconcile';
import { startSimulator, type RunningSimulator, type Scenario } from '../../simulator';
import { paymentWorkflowId, type PaymentState, type TimingOverrides } from '../../workflows/types';
import { TERMINAL_KEY, TERMINAL_SN, expectNoOneSidedAccount, newPayment } from '../helpers/saga-stack';
import { spawnWorker, type WorkerProcess } from '../helpers/worker-process';
import { clusterAddress } from './cluster-env';
import { waitFor } from './drill';

const BATCH = Number(process.env.CLUSTER_BATCH ?? 40);

jest.setTimeout(10 * 60_000);

/** Seconds-long windows with room for a loaded machine (a revoke must land before its window closes). */
const TIMING: TimingOverrides = {
  confirmIntervalMs: 300,
  confirmWindowMs: 8_000,
  cancelDelaysMs: [1_000],
  cancelDeadlineAfterMs: 60_000,
  revokeWindowAfterMs: 60_000,
  // A pay still queued after 30 s (the default) is not sent: under load a batch of 40 can wait that long.
  paySendDeadlineMs: 120_000,
};

/** States a payment does not leave by itself (a revoked kind passes through PAID: it waits for REVOKED). */
const FINAL: PaymentState[] = ['FAILED', 'CANCELED', 'REVOKED', 'NEEDS_ATTENTION'];

interface Kind {
  name: string;
  scenario?: Scenario;
  timing?: TimingOverrides;
  revoke?: boolean;
  expected: PaymentState;
}

/** The batch cycles through these: the saga's main paths, so both workers run every kind of activity. */
const KINDS: Kind[] = [
  { name: 'paid', expected: 'PAID' },
  { name: 'failed', scenario: { pay: { result: 'PAY_FAIL' } }, expected: 'FAILED' },
  {
    name: 'confirmed',
    scenario: { pay: { result: 'PAY_IN_PROGRESS', settle: { to: 'PAID', afterMs: 1_500 } } },
    expected: 'PAID',
  },
  {
    name: 'cancelled',
    scenario: { pay: { result: 'PAY_IN_PROGRESS' }, cancel: ['CANCEL_IN_PROGRESS'] },
    timing: { confirmWindowMs: 1_000 },
    expected: 'CANCELED',
  },
  { name: 'revoked', revoke: true, expected: 'REVOKED' },
];

/**
 * Two worker processes (`npm run worker`'s program) poll one task queue on the cluster; a batch of payments
 * of every kind is started at once. Both workers do work (who ran each activity and workflow task is in the
 * histories: the worker's identity, pid@host), every payment ends right, and reconcile finds no 单边账.
 */
describe('two workers on one task queue (cluster)', () => {
  let sim: RunningSimulator;
  let connection: Connection;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, terminals: [{ terminalSn: TERMINAL_SN, terminalKey: TERMINAL_KEY }] });
    connection = await Connection.connect({ address: clusterAddress() });
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await connection?.close();
    await sim?.close();
  });

  it(`share a batch of ${BATCH} payments; every payment right, both workers worked, books reconcile`, async () => {
    const taskQueue = `two-workers-${Date.now()}`;
    const env = {
      TEMPORAL_ADDRESS: clusterAddress(),
      TEMPORAL_TASK_QUEUE: taskQueue,
      SQB_API_DOMAIN: sim.url,
      SQB_TERMINAL_SN: TERMINAL_SN,
      SQB_TERMINAL_KEY: TERMINAL_KEY,
    };
    workers.push(...(await Promise.all([spawnWorker(env), spawnWorker(env)])));
    const client = new Client({ connection });
    const payments = new PaymentsClient(client, taskQueue);

    const kinds = Array.from({ length: BATCH }, (_, i) => KINDS[i % KINDS.length]!);
    const requests = kinds.map((k) => {
      const request = newPayment({ timing: { ...TIMING, ...k.timing } });
      if (k.scenario) sim.setScenario(request.clientSn, k.scenario);
      return request;
    });
    const started = Date.now();
    // Every call settles before any check, so nothing is left calling the cluster when the test ends.
    const calls = await Promise.allSettled(
      requests.map(async (r, i) => {
        const told = await payments.pay(r, { waitMs: 240_000 });
        if (kinds[i]!.revoke && told.status.state === 'PAID')
          await payments.revoke(r, { operator: 'ops', reason: 'two workers' });
        return told.outcomeKnown;
      }),
    );
    expect(calls.map((c) => (c.status === 'fulfilled' ? c.value : String(c.reason)))).toEqual(requests.map(() => true));
    const finals = await Promise.all(
      requests.map((r, i) =>
        waitFor(payments, r, (s) => s.state === kinds[i]!.expected || FINAL.includes(s.state), 120_000),
      ),
    );
    // Each payment's kind and state, so a wrong one is named with its kind.
    expect(finals.map((s, i) => `${kinds[i]!.name}: ${s.state}`)).toEqual(kinds.map((k) => `${k.name}: ${k.expected}`));
    const elapsedMs = Date.now() - started;
    for (const status of finals) expectNoOneSidedAccount(sim, status);
    const books = reconcile(finals, ordersFromLedger(sim.ledger()));
    expect(books.discrepancies).toEqual([]);
    expect(books.open).toEqual([]);
    expect(books.matched).toBe(BATCH);

    // Who ran what: each history names the worker that started each activity and workflow task.
    const activities = new Map<string, number>();
    const workflowTasks = new Map<string, number>();
    for (const r of requests) {
      const history = await client.workflow.getHandle(paymentWorkflowId(r.terminalSn, r.clientSn)).fetchHistory();
      for (const e of history.events ?? []) {
        const a = e.activityTaskStartedEventAttributes?.identity;
        if (a) activities.set(a, (activities.get(a) ?? 0) + 1);
        const w = e.workflowTaskStartedEventAttributes?.identity;
        if (w) workflowTasks.set(w, (workflowTasks.get(w) ?? 0) + 1);
      }
    }
    const identities = workers.map((w) => `${w.child.pid}@`);
    const count = (m: Map<string, number>, prefix: string) =>
      [...m].filter(([id]) => id.startsWith(prefix)).reduce((n, [, c]) => n + c, 0);
    const perWorker = identities.map((id) => ({
      worker: id.slice(0, -1),
      activities: count(activities, id),
      workflowTasks: count(workflowTasks, id),
    }));
    console.log(
      `two workers: ${BATCH} payments final in ${(elapsedMs / 1000).toFixed(1)} s; ` +
        perWorker
          .map((p) => `pid ${p.worker}: ${p.activities} activities, ${p.workflowTasks} workflow tasks`)
          .join('; '),
    );
    // Nobody but the two workers ran anything.
    expect([...activities.keys()].every((id) => identities.some((p) => id.startsWith(p)))).toBe(true);
    for (const p of perWorker) expect(p.activities).toBeGreaterThan(0);
    for (const p of perWorker) expect(p.workflowTasks).toBeGreaterThan(0);
  });
});

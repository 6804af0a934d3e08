import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { PaymentsClient } from '../../client/payments-client';
import { reconcile, ordersFromLedger } from '../../scripts/reconcile/reconcile';
import { freePort } from '../../scripts/stack/ports';
import { startTemporalProcess, type TemporalProcess } from '../../scripts/stack/temporal-process';
import { devServerArgs } from '../../scripts/toolchain/dev-server';
import { TEMPORAL_CLI, resolveBinary } from '../../scripts/toolchain/temporal-binaries';
import { startSimulator, type RunningSimulator, type Scenario } from '../../simulator';
import type { PaymentRequest, PaymentState, PaymentStatus } from '../../workflows/types';
import { TERMINAL_KEY, TERMINAL_SN, expectNoOneSidedAccount, newPayment } from '../helpers/saga-stack';
import { spawnWorker, type WorkerProcess } from '../helpers/worker-process';

jest.setTimeout(180_000);

/** Long enough that every phase is still running when the crash comes; short enough for CI. */
const TIMING = {
  confirmIntervalMs: 500,
  confirmWindowMs: 10_000,
  cancelDelaysMs: [1_000, 1_000],
  cancelDeadlineAfterMs: 30_000,
  revokeWindowAfterMs: 20_000,
};

interface CrashCase {
  name: string;
  scenario?: Scenario;
  timing?: Partial<typeof TIMING>;
  revoke?: boolean;
  /** The phase the payment is in when the worker and server die. */
  atCrash: PaymentState;
  expected: PaymentState;
}

const CASES: CrashCase[] = [
  { name: 'pay held across the crash', scenario: { pay: { holdMs: 6_000 } }, atCrash: 'PAYING', expected: 'PAID' },
  {
    name: 'confirming across the crash',
    scenario: { pay: { result: 'PAY_IN_PROGRESS', settle: { to: 'PAID', afterMs: 9_000 } } },
    // The window outlasts the server's restart under load (once 10 s): the payment is PAID by the first query after.
    timing: { confirmWindowMs: 30_000 },
    atCrash: 'CONFIRMING',
    expected: 'PAID',
  },
  {
    name: 'cancelling across the crash',
    scenario: {
      pay: { result: 'PAY_IN_PROGRESS' },
      cancel: ['CANCEL_IN_PROGRESS', 'CANCEL_ERROR', 'CANCEL_IN_PROGRESS', 'CANCEL_ERROR', 'CANCEL_IN_PROGRESS'],
    },
    timing: { confirmWindowMs: 400 },
    atCrash: 'CANCELING',
    expected: 'CANCELED',
  },
  {
    name: 'revoking across the crash',
    scenario: {
      revoke: ['CANCEL_IN_PROGRESS', 'CANCEL_ERROR', 'CANCEL_IN_PROGRESS', 'CANCEL_ERROR', 'CANCEL_IN_PROGRESS'],
    },
    revoke: true,
    atCrash: 'REVOKING',
    expected: 'REVOKED',
  },
  { name: 'failed before the crash', scenario: { pay: { result: 'PAY_FAIL' } }, atCrash: 'FAILED', expected: 'FAILED' },
];

/**
 * kill -9 of one of two workers on the task queue and of the Temporal dev server itself, mid-flight,
 * then a restart on the same SQLite file: every payment still ends right and the books reconcile.
 */
describe('crash and restart', () => {
  let sim: RunningSimulator;
  let server: TemporalProcess | undefined;
  let workers: WorkerProcess[] = [];
  let dataDir: string;
  let address: string;
  let serverArgs: string[];
  const cli = resolveBinary(TEMPORAL_CLI).path!;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'crash-'));
    const port = await freePort();
    address = `127.0.0.1:${port}`;
    serverArgs = devServerArgs({
      ip: '127.0.0.1',
      port,
      uiPort: await freePort(),
      dbFile: path.join(dataDir, 'temporal.sqlite'),
    });
    server = await startTemporalProcess(cli, [...serverArgs, '--headless'], address);
    sim = await startSimulator({ port: 0, terminals: [{ terminalSn: TERMINAL_SN, terminalKey: TERMINAL_KEY }] });
  });

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await server?.stop();
    await sim?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('survives a killed worker and a killed server: right final states, no 单边账', async () => {
    const taskQueue = `crash-${Date.now()}`;
    const workerEnv = {
      TEMPORAL_ADDRESS: address,
      TEMPORAL_TASK_QUEUE: taskQueue,
      SQB_API_DOMAIN: sim.url,
      SQB_TERMINAL_SN: TERMINAL_SN,
      SQB_TERMINAL_KEY: TERMINAL_KEY,
    };
    workers = await Promise.all([spawnWorker(workerEnv), spawnWorker(workerEnv)]);
    // One client connection throughout: it reconnects by itself once the server is back.
    const connection = await Connection.connect({ address });
    const payments = new PaymentsClient(new Client({ connection }), taskQueue);

    const requests = CASES.map((c) => {
      const request = newPayment({ timing: { ...TIMING, ...c.timing } });
      if (c.scenario) sim.setScenario(request.clientSn, c.scenario);
      return request;
    });
    // Checkouts waiting for their outcomes across the crash.
    const checkouts = Promise.allSettled(requests.map((r) => payments.pay(r, { waitMs: 120_000 })));
    const revokeCase = requests[CASES.findIndex((c) => c.revoke)]!;
    await waitFor(payments, revokeCase, (s) => s.state === 'PAID');
    await payments.revokeBySignal(revokeCase, { operator: 'ops', reason: 'crash test' });
    // Crash only once every payment is in the phase its case is about.
    const phases = async () => (await Promise.all(requests.map((r) => payments.status(r)))).map((x) => x.state);
    const wanted = CASES.map((c) => c.atCrash);
    const deadline = Date.now() + 4_000;
    while (JSON.stringify(await phases()) !== JSON.stringify(wanted) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await phases()).toEqual(wanted);

    // kill -9 one worker, then the server; restart the server on the same SQLite file.
    workers[0]!.child.kill('SIGKILL');
    server!.child.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 1_000));
    server = await startTemporalProcess(cli, [...serverArgs, '--headless'], address);

    const finals: PaymentStatus[] = [];
    for (const [i, c] of CASES.entries()) {
      const status = await waitFor(payments, requests[i]!, (s) => s.state === c.expected, 120_000);
      expectNoOneSidedAccount(sim, status);
      finals.push(status);
    }
    expect(reconcile(finals, ordersFromLedger(sim.ledger())).discrepancies).toEqual([]);
    // Every checkout got its answer despite the crash.
    const answers = await checkouts;
    expect(answers.map((a) => (a.status === 'fulfilled' ? a.value.outcomeKnown : String(a.reason)))).toEqual(
      requests.map(() => true),
    );
    await connection.close();
  });
});

/** Like PaymentsClient.waitFor, but also rides out the seconds the server is down. */
async function waitFor(
  payments: PaymentsClient,
  request: PaymentRequest,
  done: (s: PaymentStatus) => boolean,
  timeoutMs = 30_000,
): Promise<PaymentStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: PaymentStatus | undefined;
  for (;;) {
    last = await payments.status(request).catch(() => last); // the server may be restarting
    if (last && done(last)) return last;
    if (Date.now() > deadline)
      throw new Error(`${request.clientSn}: still ${last?.state}: ${JSON.stringify(last?.calls)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * The whole suite against one Temporal address: the floor and the saga's paths at CONCURRENCY, what each
 * history costs, the cashier's view one at a time, and (when asked) the scale step. The same code for the
 * dev server and the cluster; the workers are the real worker (`worker/main.ts`) and the floor worker, each
 * its own process, pointed at the topology's address and namespace.
 */
import os from 'node:os';
import { Client, Connection } from '@temporalio/client';
import { PaymentsClient } from '../client/payments-client';
import { paymentWorkflowId, type PaymentRequest, type PaymentStatus, type TimingOverrides } from '../workflows/types';
import { cashierView, type CashierView } from './cashier';
import { costOf } from './history';
import { measure, type Measured } from './measure';
import { CONCURRENCY, type BenchOptions } from './options';
import { scaleStep, type ScaleResult } from './scale';
import type { Topology } from './topology';
import { why } from './why';
import { BenchWorker } from './worker-process';

export interface SuiteResult {
  topology: Topology['name'];
  describe: string;
  /** Wall time of the suite, server start excluded. */
  seconds: number;
  /** The machine's 1-minute load average when the suite started and when it ended (2 cores: 2 is full). */
  load_avg: { start: number; end: number };
  floor: Measured;
  happy: Measured;
  cancel: Measured;
  revoke: Measured;
  ratios: { happy_throughput_vs_floor: number; happy_p50_vs_floor: number };
  events: Record<string, number>;
  actions: Record<string, number>;
  cashier: CashierView;
  scale?: ScaleResult;
}

/** The simulator and the terminal every worker signs for. */
export interface Gateway {
  url: string;
  terminalSn: string;
  terminalKey: string;
}

const round1 = (x: number) => Math.round(x * 10) / 10;
const PAY_QUEUE = 'bench-pay';
const FLOOR_QUEUE = 'bench-floor';
const UNKNOWN_FAST: TimingOverrides = { confirmIntervalMs: 200, confirmWindowMs: 300, cancelDelaysMs: [1_000] };

export async function runSuite(
  topology: Topology,
  gateway: Gateway,
  options: BenchOptions,
  withScale: boolean,
): Promise<SuiteResult> {
  const env = {
    TEMPORAL_ADDRESS: topology.address,
    TEMPORAL_NAMESPACE: topology.namespace,
    SQB_API_DOMAIN: gateway.url,
    SQB_TERMINAL_SN: gateway.terminalSn,
    SQB_TERMINAL_KEY: gateway.terminalKey,
  };
  const startPaymentWorker = (tuning: NodeJS.ProcessEnv = {}) =>
    BenchWorker.start('worker/main.ts', { ...env, ...tuning, TEMPORAL_TASK_QUEUE: PAY_QUEUE }, 'payment worker:');
  const started = performance.now();
  const loadStart = os.loadavg()[0]!;
  let worker = await startPaymentWorker();
  const floorWorker = await BenchWorker.start(
    'bench/floor/worker.ts',
    { ...env, TEMPORAL_TASK_QUEUE: FLOOR_QUEUE },
    'floor worker: polling',
  );
  const connection = await Connection.connect({ address: topology.address });
  const client = new Client({ connection, namespace: topology.namespace });
  const payments = new PaymentsClient(client, PAY_QUEUE);
  // client_sn is unique per simulator, which both topologies share: the tag tells the runs apart.
  const tag = `${topology.name === 'cluster' ? 'C' : 'D'}${Date.now().toString(36)}`;
  let seq = 0;
  const request = (dynamicId = '130818341921441147', timing?: TimingOverrides): PaymentRequest => ({
    terminalSn: gateway.terminalSn,
    clientSn: `B${tag}${(seq++).toString(36)}`,
    amountFen: 100,
    dynamicId,
    subject: 'bench',
    operator: 'bench',
    ...(timing ? { timing } : {}),
  });
  const expectState = (s: PaymentStatus, state: string) => {
    if (s.state !== state) throw new Error(`${s.clientSn}: expected ${state}, got ${s.state} (${why(s)})`);
  };
  const log = (what: string, value: unknown) => console.log(`[${topology.name}] ${what}`, JSON.stringify(value));
  try {
    // Warm both workers (bundles, caches, connections) before measuring.
    await measure(20, 5, async (i) => {
      await client.workflow.execute('floorWorkflow', { taskQueue: FLOOR_QUEUE, workflowId: `warm-${tag}-${i}` });
      expectState((await payments.pay(request())).status, 'PAID');
    });
    const floor = await measure(options.n, CONCURRENCY, (i) =>
      client.workflow.execute('floorWorkflow', { taskQueue: FLOOR_QUEUE, workflowId: `floor-${tag}-${i}` }),
    );
    log('floor', floor);
    const happy = await measure(options.n, CONCURRENCY, async () =>
      expectState((await payments.pay(request())).status, 'PAID'),
    );
    log('happy', happy);
    const cancel = await measure(Math.ceil(options.n / 5), CONCURRENCY, async () =>
      expectState((await payments.pay(request('sim-500', UNKNOWN_FAST))).status, 'CANCELED'),
    );
    log('cancel', cancel);
    const paid = await Promise.all(
      Array.from({ length: Math.ceil(options.n / 5) }, async () => {
        const r = request();
        await payments.pay(r);
        return r;
      }),
    );
    const revoke = await measure(paid.length, CONCURRENCY, async (i) => {
      await payments.revokeBySignal(paid[i]!, { operator: 'bench', reason: 'bench' });
      await payments.waitFor(paid[i]!, (s) => s.state === 'REVOKED', { timeoutMs: 120_000, intervalMs: 10 });
    });
    log('revoke', revoke);

    const cashier = await cashierView({
      n: options.cashierN,
      client,
      payments,
      paymentWorker: worker,
      floorTaskQueue: FLOOR_QUEUE,
      request: () => request(),
      tag,
    });
    log('cashier', cashier);

    // Whole histories, each path run to its close with a 1.5 s revoke window.
    const closing = { revokeWindowAfterMs: 1_500 };
    const closed = async (r: PaymentRequest, act?: () => Promise<void>) => {
      await payments.pay(r);
      if (act) await act();
      const workflowId = paymentWorkflowId(r.terminalSn, r.clientSn);
      await client.workflow.getHandle(workflowId).result();
      return costOf(client, workflowId);
    };
    const floorId = `floor-cost-${tag}`;
    await client.workflow.execute('floorWorkflow', { taskQueue: FLOOR_QUEUE, workflowId: floorId });
    const revokeReq = request(undefined, closing);
    const costs = {
      floor: await costOf(client, floorId),
      happy: await closed(request(undefined, closing)),
      cancel: await closed(request('sim-500', { ...UNKNOWN_FAST, ...closing })),
      revoke: await closed(revokeReq, () => payments.revokeBySignal(revokeReq, { operator: 'bench', reason: 'bench' })),
    };
    log('costs', costs);

    let scale: ScaleResult | undefined;
    if (withScale) {
      await floorWorker.stop();
      scale = await scaleStep({
        open: options.scale,
        revokes: options.revokes,
        caches: options.caches,
        ...(options.heapSnapshotDir ? { heapSnapshotDir: options.heapSnapshotDir } : {}),
        payments,
        request: () => request(),
        restartWorker: async (tuning) => {
          await worker.stop();
          return (worker = await startPaymentWorker(tuning));
        },
        dbMb: () => topology.dbMb(),
      });
    }
    const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
    return {
      topology: topology.name,
      describe: topology.describe,
      seconds: Math.round((performance.now() - started) / 1000),
      load_avg: { start: round1(loadStart), end: round1(os.loadavg()[0]!) },
      floor,
      happy,
      cancel,
      revoke,
      ratios: {
        happy_throughput_vs_floor: ratio(happy.throughput_per_s, floor.throughput_per_s),
        happy_p50_vs_floor: ratio(happy.p50_ms, floor.p50_ms),
      },
      events: Object.fromEntries(Object.entries(costs).map(([k, v]) => [k, v.events])),
      actions: Object.fromEntries(Object.entries(costs).map(([k, v]) => [k, v.actions])),
      cashier,
      ...(scale ? { scale } : {}),
    };
  } finally {
    await connection.close();
    await worker.stop();
    await floorWorker.stop();
  }
}

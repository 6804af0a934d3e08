import { Client, Connection } from '@temporalio/client';
import { PaymentsClient } from '../../client/payments-client';
import { RefundsClient } from '../../client/refunds-client';
import { Replayer } from '../fuzz/replayer';
import { currentSchedules, runSchedules, type ScheduleResult } from '../fuzz/run-schedule';
import { GENERATOR } from '../fuzz/schedule';
import { TERMINAL_SN, startSagaStack, workflowBundle, type SagaStack } from '../helpers/saga-stack';
import { clusterAddress } from './cluster-env';

/**
 * Seeds FIRST … FIRST + RUNS − 1 of the current generator. Default 1–20: the seeds `npm test` runs on the dev
 * server every time, so a violation here is the cluster's doing.
 */
const FIRST = Number(process.env.CLUSTER_FUZZ_FIRST ?? 1);
const RUNS = Number(process.env.CLUSTER_FUZZ_RUNS ?? 20);
const CONCURRENCY = Number(process.env.CLUSTER_FUZZ_CONCURRENCY ?? 10);

jest.setTimeout(20 * 60_000);

/**
 * The fuzz on the cluster (test/fuzz/fault-schedules.test.ts's harness, test/fuzz/run-schedule.ts): randomized
 * gateway fault schedules as real workflows on PostgreSQL-backed Temporal; every invariant must hold and every
 * history must replay on the worker's own workflow code.
 */
describe('randomized fault schedules on the cluster', () => {
  let stack: SagaStack;
  let connection: Connection;
  let replayer: Replayer;
  beforeAll(async () => {
    stack = await startSagaStack();
    replayer = new Replayer(await workflowBundle());
    connection = await Connection.connect({ address: clusterAddress() });
  });
  afterAll(async () => {
    await replayer?.close();
    await connection?.close();
    await stack?.stop();
  });

  it(`keeps every invariant over ${RUNS} schedules (generator ${GENERATOR}, seeds ${FIRST}–${FIRST + RUNS - 1})`, async () => {
    const client = new Client({ connection });
    const env = {
      client,
      payments: new PaymentsClient(client, stack.taskQueue),
      refunds: new RefundsClient(client, stack.taskQueue),
      sim: stack.sim,
      terminalSn: TERMINAL_SN,
      replayer,
    };
    const started = Date.now();
    const results = await runSchedules(env, currentSchedules(FIRST, RUNS), CONCURRENCY, () => undefined);
    console.log(`fuzz on the cluster: ${summary(results)} in ${Math.round((Date.now() - started) / 1000)} s`);
    const failed = results.filter((r) => r.violations.length > 0);
    expect(failed.map((r) => ({ seed: r.seed, generator: r.generator, violations: r.violations }))).toEqual([]);
    expect(results).toHaveLength(RUNS);
  });
});

function summary(results: ScheduleResult[]): string {
  const payments = results.reduce((n, r) => n + r.payments, 0);
  const faults = results.reduce((n, r) => n + r.faults, 0);
  const refunds = results.reduce((n, r) => n + r.refundStarts, 0);
  const violations = results.reduce((n, r) => n + r.violations.length, 0);
  const ms = results.map((r) => r.ms).sort((a, b) => a - b);
  const median = ms[Math.floor(ms.length / 2)] ?? 0;
  return (
    `${results.length} schedules (${payments} payments, ${refunds} refund starts, ${faults} faults injected), ` +
    `${violations} violations; a schedule took a median ${(median / 1000).toFixed(1)} s`
  );
}

import { Client, Connection } from '@temporalio/client';
import { PaymentsClient } from '../../client/payments-client';
import { TERMINAL_SN, startSagaStack, type SagaStack } from '../helpers/saga-stack';
import { runSchedules, type ScheduleResult } from './run-schedule';
import { ledgerSeeds, recordFailingSeeds } from './seed-ledger';

/** CI's share of the fuzzing: fixed seeds 1..FUZZ_RUNS (200) plus every seed in the ledger. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 200);
const CONCURRENCY = 20;

jest.setTimeout(30 * 60_000);

describe('randomized fault schedules (fast-check) on a real Temporal server', () => {
  let stack: SagaStack;
  let connection: Connection;
  beforeAll(async () => {
    stack = await startSagaStack();
    connection = await Connection.connect({ address: process.env.TEMPORAL_TEST_ADDRESS! });
  });
  afterAll(async () => {
    await connection?.close();
    await stack?.stop();
  });

  it(`keeps every invariant over the seed ledger and ${RUNS} generated schedules`, async () => {
    const client = new Client({ connection });
    const env = {
      client,
      payments: new PaymentsClient(client, stack.taskQueue),
      sim: stack.sim,
      terminalSn: TERMINAL_SN,
    };
    const seeds = [...new Set([...ledgerSeeds(), ...Array.from({ length: RUNS }, (_, i) => i + 1)])];
    const results = await runSchedules(env, seeds, CONCURRENCY, () => undefined);
    const failed = results.filter((r) => r.violations.length > 0);
    recordFailingSeeds(
      failed.map((r) => ({ seed: r.seed, found: new Date().toISOString(), violations: r.violations })),
    );
    console.log(summary(results));
    expect(failed.map((r) => ({ seed: r.seed, violations: r.violations }))).toEqual([]);
    expect(results).toHaveLength(seeds.length);
  });
});

function summary(results: ScheduleResult[]): string {
  const payments = results.reduce((n, r) => n + r.payments, 0);
  const faults = results.reduce((n, r) => n + r.faults, 0);
  const violations = results.reduce((n, r) => n + r.violations.length, 0);
  return `${results.length} schedules (${payments} payments, ${faults} faults injected), ${violations} violations`;
}

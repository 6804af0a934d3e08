import { Client, Connection } from '@temporalio/client';
import { PaymentsClient } from '../../client/payments-client';
import { RefundsClient } from '../../client/refunds-client';
import { TERMINAL_SN, startSagaStack, workflowBundle, type SagaStack } from '../helpers/saga-stack';
import { runSchedules, type ScheduleResult } from './run-schedule';
import { GENERATOR, type GeneratorVersion } from './schedule';
import { Replayer } from './replayer';
import { recordFailingSeeds, withLedger } from './seed-ledger';

/**
 * CI's share of the fuzzing: fixed seeds 1..FUZZ_RUNS (26) of the current generator plus every schedule in
 * the ledger. 26, not 200 as with generator 2: generator 3's schedules refund their payments after the
 * revoke window and take about a quarter longer, and issues 15 and 16 added about three minutes of
 * end-to-end tests to an `npm test` that must stay under 15 minutes on 2 cores (with 100 seeds, jest
 * took 888 s on a fresh clone, the fuzz 225 s of it). Generator 4 (refunds of open payments, give-backs)
 * costs more a schedule than generator 3: measured side by side on a machine at load 20–27, generator 3's
 * seeds 1–30 took 233 s and generator 4's seeds 1–28 244 s (255 s against 246 s for 30 and 30), so 26 of
 * its seeds cost what generator 3's 30 did. The ledger's seeds are the regressions; the deep runs are
 * `npm run fuzz`'s, on their own server.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 26);
/** FUZZ_GENERATOR picks another generator (1 to 4; default the current one, test/fuzz/schedule.ts). */
const GENERATOR_RUN = Number(process.env.FUZZ_GENERATOR ?? GENERATOR) as GeneratorVersion;
const CONCURRENCY = Number(process.env.FUZZ_CONCURRENCY ?? 14);

jest.setTimeout(30 * 60_000);

describe('randomized fault schedules (fast-check) on a real Temporal server', () => {
  let stack: SagaStack;
  let connection: Connection;
  let replayer: Replayer;
  beforeAll(async () => {
    stack = await startSagaStack();
    replayer = new Replayer(await workflowBundle()); // the worker's own: every history must replay with it
    connection = await Connection.connect({ address: process.env.TEMPORAL_TEST_ADDRESS! });
  });
  afterAll(async () => {
    await replayer?.close();
    await connection?.close();
    await stack?.stop();
  });

  it(`keeps every invariant over the seed ledger and ${RUNS} generated schedules (generator ${GENERATOR_RUN})`, async () => {
    const client = new Client({ connection });
    const env = {
      client,
      payments: new PaymentsClient(client, stack.taskQueue),
      refunds: new RefundsClient(client, stack.taskQueue),
      sim: stack.sim,
      terminalSn: TERMINAL_SN,
      replayer,
    };
    const refs = withLedger(Array.from({ length: RUNS }, (_, i) => ({ seed: i + 1, generator: GENERATOR_RUN })));
    const started = Date.now();
    const results = await runSchedules(env, refs, CONCURRENCY, () => undefined);
    const failed = results.filter((r) => r.violations.length > 0);
    recordFailingSeeds(
      failed.map((r) => ({
        seed: r.seed,
        generator: r.generator,
        found: new Date().toISOString(),
        violations: r.violations,
      })),
    );
    console.log(`${summary(results)} in ${Math.round((Date.now() - started) / 1000)} s`);
    expect(failed.map((r) => ({ seed: r.seed, generator: r.generator, violations: r.violations }))).toEqual([]);
    expect(results).toHaveLength(refs.length);
  });
});

function summary(results: ScheduleResult[]): string {
  const payments = results.reduce((n, r) => n + r.payments, 0);
  const faults = results.reduce((n, r) => n + r.faults, 0);
  const violations = results.reduce((n, r) => n + r.violations.length, 0);
  const late = results.reduce((n, r) => n + r.landedAfterClose, 0);
  const refunds = results.reduce((n, r) => n + r.refundOutcomes.filter((o) => o !== 'escalated').length, 0);
  const lags = results.flatMap((r) => r.payLagMs).sort((a, b) => a - b);
  const median = lags[Math.floor(lags.length / 2)] ?? 0;
  return (
    `${results.length} schedules (${payments} payments, ${refunds} refunds, ${faults} faults injected), ` +
    `${violations} violations` +
    (late > 0 ? `; ${late} beyond-doubt effects landed after the saga's last look` : '') +
    `; pay reached the gateway a median ${median} ms after the start`
  );
}

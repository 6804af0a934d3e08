/**
 * `npm run fuzz -- [--runs N] [--seed S] [--concurrency C]`: runs the seed ledger, then N generated
 * fault schedules (seeds S, S+1, …; S random unless given) on its own Temporal dev server, simulator
 * and worker, checking every invariant. Failing seeds go into test/fuzz/seed-ledger.json.
 * Prints `N schedules, V violations` last; exits 1 on any violation.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { PaymentsClient } from '../client/payments-client';
import { runSchedules, type ScheduleResult } from '../test/fuzz/run-schedule';
import { scheduleOf } from '../test/fuzz/schedule';
import { ledgerSeeds, recordFailingSeeds } from '../test/fuzz/seed-ledger';
import { FUZZ_TERMINAL } from '../test/fuzz/fuzz-env';
import { TEST_GATEWAY_TIMEOUTS } from '../test/helpers/gateway-timeouts';
import { startEmbeddedStack } from './stack/embedded-stack';
import { freePort } from './stack/ports';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { runs: { type: 'string' }, seed: { type: 'string' }, concurrency: { type: 'string' } },
  });
  const runs = Number(values.runs ?? 200);
  const base = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
  const concurrency = Number(values.concurrency ?? 20);
  Runtime.install({ logger: new DefaultLogger('WARN') }); // one line per violation, not per gateway call
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'fuzz-'));
  const stack = await startEmbeddedStack({
    host: '127.0.0.1',
    port: await freePort(),
    uiPort: await freePort(),
    dbFile: path.join(dataDir, 'temporal.sqlite'),
    taskQueue: 'fuzz',
    simulator: { port: 0, terminals: [FUZZ_TERMINAL] },
    gatewayTimeouts: TEST_GATEWAY_TIMEOUTS,
  });
  const connection = await Connection.connect({ address: stack.address });
  const started = Date.now();
  try {
    const client = new Client({ connection });
    const env = {
      client,
      payments: new PaymentsClient(client, stack.config.taskQueue),
      sim: stack.sim!,
      terminalSn: FUZZ_TERMINAL.terminalSn,
    };
    const seeds = [...new Set([...ledgerSeeds(), ...Array.from({ length: runs }, (_, i) => base + i)])];
    console.log(
      `fuzz: ${seeds.length} schedules (ledger + seeds ${base}…${base + runs - 1}), ${concurrency} at a time`,
    );
    let done = 0;
    const results = await runSchedules(env, seeds, concurrency, (r) => {
      done += 1;
      if (r.violations.length > 0) {
        console.log(`seed ${r.seed}: ${r.violations.join('; ')}\n  schedule: ${JSON.stringify(scheduleOf(r.seed))}`);
      }
      if (done % 50 === 0) console.log(`fuzz: ${done}/${seeds.length}`);
    });
    const failed = results.filter((r) => r.violations.length > 0);
    recordFailingSeeds(
      failed.map((r) => ({ seed: r.seed, found: new Date().toISOString(), violations: r.violations })),
    );
    console.log(`fuzz: ${totals(results)} in ${Math.round((Date.now() - started) / 1000)} s`);
    const violations = results.reduce((n, r) => n + r.violations.length, 0);
    console.log(`${results.length} schedules, ${violations} violations`);
    process.exitCode = violations > 0 ? 1 : 0;
  } finally {
    await connection.close();
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function totals(results: ScheduleResult[]): string {
  const payments = results.reduce((n, r) => n + r.payments, 0);
  const faults = results.reduce((n, r) => n + r.faults, 0);
  return `${payments} payments, ${faults} faults injected`;
}

main().catch((err: unknown) => {
  console.error(`npm run fuzz: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});

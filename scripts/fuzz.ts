/**
 * `npm run fuzz -- [--runs N] [--seed S] [--concurrency C] [--generator G] [--dump DIR]
 * [--address HOST:PORT [--namespace NS] [--task-queue Q]] [--skip-ledger]`: runs the seed ledger (unless
 * --skip-ledger, for trying a generator out), then N generated fault
 * schedules (seeds S, S+1, …; S random unless given; C at a time, default 10; generator G, default the
 * current one, test/fuzz/schedule.ts) with its own simulator and worker, checking every invariant. The
 * Temporal server is its own dev server, or with --address an existing one (a cluster: the saga's search
 * attributes are registered on the namespace if missing; its worker polls Q, default `fuzz-<time>`).
 * Failing seeds go into test/fuzz/seed-ledger.json with their generator; with --dump, their evidence
 * (plan, statuses, books, workflow histories) into DIR/g<G>-seed-<S>/. Prints `N schedules, V violations`
 * last; exits 1 on any violation.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime, bundleWorkflowCode } from '@temporalio/worker';
import { runSchedules, type ScheduleResult } from '../test/fuzz/run-schedule';
import { GENERATOR, GENERATORS, scheduleOf, type GeneratorVersion } from '../test/fuzz/schedule';
import { recordFailingSeeds, withLedger } from '../test/fuzz/seed-ledger';
import { startFuzzStack } from '../test/fuzz/fuzz-stack';
import { Replayer } from '../test/fuzz/replayer';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string' },
      seed: { type: 'string' },
      concurrency: { type: 'string' },
      generator: { type: 'string' },
      dump: { type: 'string' },
      address: { type: 'string' },
      namespace: { type: 'string' },
      'task-queue': { type: 'string' },
      'skip-ledger': { type: 'boolean' },
    },
  });
  const generator = Number(values.generator ?? GENERATOR) as GeneratorVersion;
  if (!GENERATORS.includes(generator))
    throw new Error(`--generator must be one of ${GENERATORS.join(', ')}, not ${values.generator}`);
  const runs = Number(values.runs ?? 200);
  const base = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
  // Ten at a time keeps a 2-core machine responsive (at twenty, pay reaches the gateway a second late).
  const concurrency = Number(values.concurrency ?? 10);
  Runtime.install({ logger: new DefaultLogger('WARN') }); // one line per violation, not per gateway call
  // The same code the worker runs: every history must replay with it.
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('../workflows'), logger: quiet });
  const stack = await startFuzzStack({
    ...(values.address ? { address: values.address } : {}),
    ...(values.namespace ? { namespace: values.namespace } : {}),
    ...(values['task-queue'] ? { taskQueue: values['task-queue'] } : {}),
    workflowBundle,
  });
  const replayer = new Replayer(workflowBundle);
  const started = Date.now();
  try {
    const env = { ...stack.env, ...(values.dump ? { dumpDir: path.resolve(values.dump) } : {}), replayer };
    console.log(
      `fuzz: Temporal at ${stack.address}${values.address ? ' (existing server)' : ' (own dev server)'}, ` +
        `namespace ${stack.namespace}, task queue ${stack.taskQueue}` +
        (stack.registered.length > 0 ? `; registered search attributes ${stack.registered.join(', ')}` : ''),
    );
    const generated = Array.from({ length: runs }, (_, i) => ({ seed: base + i, generator }));
    const refs = values['skip-ledger'] ? generated : withLedger(generated);
    console.log(
      `fuzz: ${refs.length} schedules (${values['skip-ledger'] ? 'no ledger' : 'ledger'} + seeds ${base}…${base + runs - 1} of generator ${generator}), ` +
        `${concurrency} at a time`,
    );
    let done = 0;
    const results = await runSchedules(env, refs, concurrency, (r) => {
      done += 1;
      if (r.violations.length > 0) {
        const schedule = JSON.stringify(scheduleOf(r.seed, r.generator));
        console.log(`seed ${r.seed} (generator ${r.generator}): ${r.violations.join('; ')}\n  schedule: ${schedule}`);
      }
      if (done % 50 === 0) console.log(`fuzz: ${done}/${refs.length} (${Math.round((Date.now() - started) / 1000)} s)`);
    });
    const failed = results.filter((r) => r.violations.length > 0);
    recordFailingSeeds(
      failed.map((r) => ({
        seed: r.seed,
        generator: r.generator,
        found: new Date().toISOString(),
        violations: r.violations,
      })),
    );
    console.log(`fuzz: ${totals(results)} in ${Math.round((Date.now() - started) / 1000)} s`);
    console.log(`fuzz: unfriendly knobs drawn (payments): ${tally(results.flatMap((r) => r.knobs.flat()))}`);
    console.log(`fuzz: met at the gateway (payments): ${tally(results.flatMap((r) => r.exercised.flat()))}`);
    const refundStarts = results.reduce((n, r) => n + r.refundStarts, 0);
    if (refundStarts > 0) {
      const outcomes = results.flatMap((r) => r.refundOutcomes);
      const distinct = outcomes.filter((o) => o !== 'escalated').length;
      console.log(`fuzz: ${refundStarts} refund starts, ${distinct} refunds: ${tally(outcomes)}`);
    }
    for (const g of [...new Set(results.map((r) => r.generator))].sort()) {
      const mine = results.filter((r) => r.generator === g);
      const mean = mine.reduce((n, r) => n + r.ms, 0) / mine.length / 1000;
      console.log(`fuzz: generator ${g}: ${mine.length} schedules, ${mean.toFixed(1)} s each on average`);
    }
    const lags = results.flatMap((r) => r.payLagMs).sort((a, b) => a - b);
    const at = (q: number) => lags[Math.min(lags.length - 1, Math.floor(q * lags.length))] ?? 0;
    console.log(`fuzz: pay reached the gateway after the start: median ${at(0.5)} ms, p95 ${at(0.95)} ms`);
    const violations = results.reduce((n, r) => n + r.violations.length, 0);
    console.log(`${results.length} schedules, ${violations} violations`);
    process.exitCode = violations > 0 ? 1 : 0;
  } finally {
    await replayer.close();
    await stack.stop();
  }
}

const noop = () => undefined;
const quiet = { trace: noop, debug: noop, info: noop, warn: noop, error: console.error, log: noop };

function totals(results: ScheduleResult[]): string {
  const payments = results.reduce((n, r) => n + r.payments, 0);
  const faults = results.reduce((n, r) => n + r.faults, 0);
  const unfriendly = results.reduce((n, r) => n + r.knobs.filter((k) => k.length > 0).length, 0);
  const late = results.reduce((n, r) => n + r.landedAfterClose, 0);
  return (
    `${payments} payments (${unfriendly} with unfriendly knobs), ${faults} faults injected, ` +
    `${late} beyond-doubt effects landed after the saga's last look`
  );
}

function tally(names: string[]): string {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([knob, n]) => `${knob} ${n}`)
    .join(', ');
}

main().catch((err: unknown) => {
  console.error(`npm run fuzz: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});

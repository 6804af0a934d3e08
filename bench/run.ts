/**
 * `npm run bench [-- --quick] [-- --cluster]`: Temporal's floor and the saga's paths side by side in one run,
 * on one machine: the simulator without latency, the real worker as its own process, against the dev server
 * on SQLite (WAL) and, with --cluster, then against the Temporal cluster on PostgreSQL (scripts/cluster), the
 * same suite (bench/suite.ts) one after the other. Writes bench/results/latest.json and latest.md. Absolute
 * numbers are machine noise; ratios are not. Flags: bench/options.ts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSimulator } from '../simulator';
import { DEFAULT_MAX_CACHED_WORKFLOWS } from '../worker/tuning';
import { readOptions } from './options';
import { markdown } from './report';
import { runSuite, type Gateway, type SuiteResult } from './suite';
import { startCluster, startDevServer, type Topology } from './topology';

const TERMINAL = { terminalSn: '100000000000000088', terminalKey: 'beefbeefbeefbeefbeefbeefbeefbeef' };

async function main(): Promise<void> {
  const options = readOptions();
  console.log(
    `bench: ${options.quick ? 'quick' : 'full'} run, ${options.n} per path, cashier ${options.cashierN} one at a time, ` +
      `on the dev server${options.cluster ? ` and the cluster${options.clusterSplit ? ' (split)' : ''}` : ''}`,
  );
  const sim = await startSimulator({ port: 0, terminals: [TERMINAL] });
  const gateway: Gateway = { url: sim.url, ...TERMINAL };
  const suites: SuiteResult[] = [];
  const on = async (start: () => Promise<Topology>, withScale: boolean) => {
    const topology = await start();
    try {
      console.log(`bench: ${topology.name} at ${topology.address}: ${topology.describe}`);
      suites.push(await runSuite(topology, gateway, options, withScale));
    } finally {
      await topology.stop();
    }
  };
  try {
    await on(startDevServer, true);
    if (options.cluster) await on(() => startCluster({ split: options.clusterSplit }), options.clusterScale);
  } finally {
    await sim.close();
  }
  const [dev, cluster] = suites as [SuiteResult, SuiteResult | undefined];
  const run = options.quick ? 'quick' : 'full';
  const result = {
    run,
    at: new Date().toISOString(),
    // The dev server's results at the top level, as before --cluster; the cluster's beside them.
    ...dev,
    ...(cluster ? { cluster } : {}),
    worker:
      `paths: the worker's defaults (maxCachedWorkflows ${DEFAULT_MAX_CACHED_WORKFLOWS}, reuseV8Context on, ` +
      'the rest SDK defaults); scale.sweep: WORKER_MAX_CACHED_WORKFLOWS per point, scale.* headline = the first point',
    machine: {
      cpus: os.cpus().length,
      cpu: os.cpus()[0]?.model,
      mem_gb: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
    },
  };
  const md = markdown(run, suites);
  mkdirSync(path.join(__dirname, 'results'), { recursive: true });
  writeFileSync(path.join(__dirname, 'results', 'latest.json'), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(path.join(__dirname, 'results', 'latest.md'), md);
  console.log(md);
}

main().catch((err: unknown) => {
  console.error(`npm run bench: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});

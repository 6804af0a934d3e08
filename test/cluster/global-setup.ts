import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { clusterDown, clusterStatus, clusterUp, freeClusterPorts } from '../../scripts/cluster/control';
import { DRILL_REFUSED_ENV, DRILL_TARGET_ENV, type DrillTarget } from './cluster-env';

/** What the teardown (and a Ctrl-C) must take down: the cluster this setup brought up. */
interface Owned {
  dataDir: string;
  down: () => Promise<void>;
}

const log = (line: string) => console.log(`[cluster] ${line}`);

/**
 * The cluster the suites run on (jest.cluster.config.js). With CLUSTER_ADDRESS, the cluster already running
 * there: the drills may crash it only when a state file of `npm run cluster` (CLUSTER_DATA_DIR, else .cluster/)
 * names that address, i.e. it was started on this machine and its processes are ours to kill. Without it, a
 * cluster of its own: split services (the history service can be killed alone; CLUSTER_SPLIT=0 for one
 * server process), a temp data folder, free ports, no Web UI; the teardown takes it down and removes the
 * folder, whatever the tests did.
 */
export default async function globalSetup(): Promise<void> {
  const given = process.env.CLUSTER_ADDRESS;
  if (given) {
    process.env.TEMPORAL_TEST_ADDRESS = given;
    const dataDir = process.env.CLUSTER_DATA_DIR;
    const state = await clusterStatus(dataDir ? { dataDir } : {});
    const alive = state && state.postgres.alive && Object.values(state.services).every((s) => s.alive);
    if (state && sameAddress(state.address, given) && alive) {
      const target: DrillTarget = {
        dataDir: state.dataDir,
        split: state.split,
        historyService: state.split ? 'history' : 'server',
      };
      process.env[DRILL_TARGET_ENV] = JSON.stringify(target);
      log(`using the cluster at ${given} (${state.dataDir}, ${state.split ? 'split services' : 'one process'})`);
    } else {
      process.env[DRILL_REFUSED_ENV] =
        `the crash drills kill the cluster's services, but CLUSTER_ADDRESS=${given} is not a cluster this machine ` +
        `runs: ${state ? `the state file in ${state.dataDir} names ${state.address}${alive ? '' : ' with parts down'}` : `no state file in ${dataDir ?? '.cluster/'}`}. ` +
        'Unset CLUSTER_ADDRESS (the suites bring up a cluster of their own), point CLUSTER_DATA_DIR at the ' +
        "cluster's folder, or leave the drills out: CLUSTER_SUITES=e2e,workers,fuzz";
      log(`using the cluster at ${given}; it is not ours to crash, so the drills will fail`);
    }
    return;
  }

  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'cluster-suites-'));
  const abort = new AbortController();
  let downing: Promise<void> | undefined;
  const down = () => {
    downing ??= clusterDown({ dataDir, log }).finally(() => rmSync(dataDir, { recursive: true, force: true }));
    return downing;
  };
  // Ctrl-C or a kill of jest skips the global teardown: take the cluster down before going.
  const onSignal = (signal: NodeJS.Signals) => {
    abort.abort();
    log(`${signal}: taking the cluster down`);
    void down().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const owned: Owned = { dataDir, down };
  (globalThis as { __cluster?: Owned }).__cluster = owned;

  const started = Date.now();
  // CLUSTER_SPLIT=0: one server process (the drill then kills it whole) instead of separate services.
  const split = process.env.CLUSTER_SPLIT !== '0';
  try {
    const state = await clusterUp({
      split,
      dataDir,
      ports: await freeClusterPorts(),
      ui: false,
      log,
      signal: abort.signal,
    });
    process.env.TEMPORAL_TEST_ADDRESS = state.address;
    const target: DrillTarget = { dataDir, split, historyService: split ? 'history' : 'server' };
    process.env[DRILL_TARGET_ENV] = JSON.stringify(target);
    log(
      `up in ${((Date.now() - started) / 1000).toFixed(1)} s at ${state.address} (${Object.keys(state.services).join(', ')})`,
    );
  } catch (err) {
    // clusterUp stops what it started; the folder goes too. Jest runs no teardown after a failed setup.
    await down();
    throw err;
  }
}

function sameAddress(a: string, b: string): boolean {
  const norm = (x: string) => x.trim().replace(/^(localhost|\[::1\]):/, '127.0.0.1:');
  return norm(a) === norm(b);
}

/**
 * What the cluster suites' global setup (test/cluster/global-setup.ts) hands to the test files, through
 * the environment (jest's workers inherit it): the frontend's address in TEMPORAL_TEST_ADDRESS (as the
 * dev server's global setup does, so test/helpers/saga-stack.ts and the integration files run unchanged),
 * and whether the drills may kill the cluster's services.
 */

/** JSON {@link DrillTarget}: set when the cluster is ours to crash. */
export const DRILL_TARGET_ENV = 'CLUSTER_DRILL_TARGET';
/** Why the drills may not crash the cluster at CLUSTER_ADDRESS: set instead of the target. */
export const DRILL_REFUSED_ENV = 'CLUSTER_DRILL_REFUSED';

export interface DrillTarget {
  /**
   * The cluster's data directory (its state file is there): what crashService and restartPostgres act on.
   * Absent: the cluster script's default (`npm run cluster -- up`).
   */
  dataDir?: string;
  /** Separate frontend, history, matching and worker processes; else one `server`. */
  split: boolean;
  /** The service a "server crash" kills: `history` when split, else the single `server`. */
  historyService: 'history' | 'server';
}

/** The frontend every test talks to. */
export function clusterAddress(): string {
  const address = process.env.TEMPORAL_TEST_ADDRESS;
  if (!address) throw new Error('TEMPORAL_TEST_ADDRESS is not set: run through `npm run test:cluster`');
  return address;
}

/**
 * The cluster the drills may crash. Throws, saying why and what to do, when it is not ours: a drill
 * that cannot crash anything must fail, not pass silently.
 */
export function drillTarget(): DrillTarget {
  const target = process.env[DRILL_TARGET_ENV];
  if (target) return JSON.parse(target) as DrillTarget;
  throw new Error(
    process.env[DRILL_REFUSED_ENV] ??
      'no cluster to crash: run the drills through `npm run test:cluster` (test/cluster/global-setup.ts)',
  );
}

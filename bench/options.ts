/** `npm run bench` flags, read once. */
export interface BenchOptions {
  quick: boolean;
  /** `--cluster`: after the dev server, the same suite on the PostgreSQL cluster (scripts/cluster/control.ts). */
  cluster: boolean;
  /** `--cluster-split`: the cluster as separate frontend, history, matching and worker services. */
  clusterSplit: boolean;
  /** `--cluster-scale`: the scale step on the cluster too (by default it runs on the dev server only). */
  clusterScale: boolean;
  /** Per path at concurrency CONCURRENCY (cancel and revoke: a fifth). */
  n: number;
  /** Payments one at a time, for the cashier's view (floor, saga and the bare gateway call each). */
  cashierN: number;
  /** Open payments in the scale step. */
  scale: number;
  revokes: number;
  /**
   * `--caches default,2310,500`: the sticky-cache sizes the scale step compares. `default` sets nothing
   * (worker/tuning.ts DEFAULT_MAX_CACHED_WORKFLOWS); 2310 is what the SDK itself picks on a 4 GiB heap.
   */
  caches: string[];
  /** `--heap-snapshot DIR`: also write a worker heap snapshot per cache size (for profiling). */
  heapSnapshotDir?: string;
}

/** Every path at the same concurrency. */
export const CONCURRENCY = 20;
/** A revoke is an operator's manual action (手动撤单): a handful at a time, not CONCURRENCY. */
export const OPERATOR_CONCURRENCY = 4;

export function readOptions(argv: string[] = process.argv): BenchOptions {
  const value = (name: string) => {
    const i = argv.indexOf(name);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const quick = argv.includes('--quick');
  const heapSnapshotDir = value('--heap-snapshot');
  return {
    quick,
    cluster: argv.includes('--cluster') || argv.includes('--cluster-split'),
    clusterSplit: argv.includes('--cluster-split'),
    clusterScale: argv.includes('--cluster-scale'),
    n: quick ? 200 : 1_000,
    cashierN: Number(value('--cashier') ?? (quick ? 60 : 300)),
    scale: Number(value('--scale') ?? (quick ? 1_000 : 10_000)),
    revokes: quick ? 50 : 200,
    caches: (value('--caches') ?? 'default,2310,500').split(','),
    ...(heapSnapshotDir ? { heapSnapshotDir } : {}),
  };
}

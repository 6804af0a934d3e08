/**
 * The scale step: many PAID payments held open for their revoke window; then, per sticky-cache size, a
 * fresh worker that has every open payment loaded (one status query each), its memory, and revokes at that load.
 */
import type { PaymentsClient } from '../client/payments-client';
import type { PaymentRequest } from '../workflows/types';
import { measure, type Measured } from './measure';
import { CONCURRENCY, OPERATOR_CONCURRENCY } from './options';
import { why } from './why';
import type { BenchWorker, WorkerMemory } from './worker-process';

export interface ScalePoint {
  cache: string;
  load_per_s: number;
  /** Status queries asked again after one failed (timed out) while loading. */
  load_repeats: number;
  memory: WorkerMemory;
  /** Revokes at the same concurrency as the paths. */
  revoke: Measured;
  /** Revokes at OPERATOR_CONCURRENCY: a few operators at once, the way revokes really arrive. */
  revoke_operators: Measured;
}

export interface ScaleResult {
  open_payments: number;
  open_rate_per_s: number;
  worker_rss_mb: number;
  /** The dev server's SQLite file; null on the cluster (PostgreSQL). */
  db_mb: number | null;
  revoke_p50_ms: number;
  revoke_p99_ms: number;
  revoke_operators_p99_ms: number;
  sweep: ScalePoint[];
}

export async function scaleStep(opts: {
  open: number;
  revokes: number;
  caches: string[];
  heapSnapshotDir?: string;
  payments: PaymentsClient;
  request: () => PaymentRequest;
  /** Stops the current payment worker and starts one with these settings. */
  restartWorker: (tuning: NodeJS.ProcessEnv) => Promise<BenchWorker>;
  dbMb: () => number | undefined;
}): Promise<ScaleResult> {
  const { payments } = opts;
  const open: PaymentRequest[] = [];
  const opening = await measure(opts.open, 50, async () => {
    const r = opts.request();
    const { status } = await payments.pay(r);
    if (status.state !== 'PAID') throw new Error(`expected PAID, got ${status.state} (${why(status)})`);
    open.push(r);
  });
  console.log('opened', opening);
  let revoked = 0;
  const sweep: ScalePoint[] = [];
  for (const cache of opts.caches) {
    const worker = await opts.restartWorker({
      ...(cache === 'default' ? {} : { WORKER_MAX_CACHED_WORKFLOWS: cache }),
      ...(opts.heapSnapshotDir ? { BENCH_HEAP_SNAPSHOT_DIR: opts.heapSnapshotDir } : {}),
    });
    // A status query replays the payment onto the fresh worker; on a loaded machine one can time out
    // while 50 replay at once. It is asked again (up to 3 times), and the repeats are counted.
    let repeats = 0;
    const loading = await measure(open.length, 50, async (i) => {
      for (let attempt = 1; ; attempt++) {
        try {
          await payments.status(open[i]!);
          return;
        } catch (err) {
          if (attempt === 3) throw err;
          repeats++;
        }
      }
    });
    const memory = await worker.memory();
    // Each revoke takes a payment no earlier step revoked, spread over the whole open set. The update
    // answers when the gateway has decided: exact revoke-to-REVOKED, without polling the status.
    const revokesAt = (concurrency: number) => {
      const targets = Array.from({ length: opts.revokes }, () => open[(revoked++ * 7) % open.length]!);
      return measure(targets.length, concurrency, async (i) => {
        const result = await payments.revoke(targets[i]!, { operator: 'bench', reason: 'bench at load' });
        if (result.state !== 'REVOKED') throw new Error(`revoke ended ${result.state}`);
      });
    };
    const revoke_operators = await revokesAt(OPERATOR_CONCURRENCY);
    const revoke = await revokesAt(CONCURRENCY);
    const point = {
      cache,
      load_per_s: loading.throughput_per_s,
      load_repeats: repeats,
      memory,
      revoke,
      revoke_operators,
    };
    console.log('scale', JSON.stringify(point));
    sweep.push(point);
  }
  const headline = sweep[0]!;
  return {
    open_payments: opts.open,
    open_rate_per_s: opening.throughput_per_s,
    worker_rss_mb: headline.memory.rss_mb,
    db_mb: opts.dbMb() ?? null,
    revoke_p50_ms: headline.revoke.p50_ms,
    revoke_p99_ms: headline.revoke.p99_ms,
    revoke_operators_p99_ms: headline.revoke_operators.p99_ms,
    sweep,
  };
}

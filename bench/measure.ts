/** Latency and throughput of `n` runs of `run`, `concurrency` at a time. */
export interface Measured {
  n: number;
  concurrency: number;
  throughput_per_s: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
}

/**
 * On the first failure no new run starts, the ones under way finish, and then the first error is thrown:
 * nothing is left running against a connection the caller is about to close.
 */
export async function measure(n: number, concurrency: number, run: (i: number) => Promise<void>): Promise<Measured> {
  const latencies: number[] = [];
  let next = 0;
  let failed: { error: unknown } | undefined;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      for (let i = next++; i < n && !failed; i = next++) {
        const t0 = performance.now();
        try {
          await run(i);
        } catch (error) {
          failed ??= { error };
          return;
        }
        latencies.push(performance.now() - t0);
      }
    }),
  );
  if (failed) throw failed.error;
  return summarize(latencies, concurrency, (performance.now() - started) / 1000);
}

/** Percentiles of raw latencies (ms) measured at `concurrency` over `seconds` of wall time. */
export function summarize(latencies: number[], concurrency: number, seconds: number): Measured {
  const sorted = [...latencies].sort((a, b) => a - b);
  const pct = (p: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!);
  return {
    n: sorted.length,
    concurrency,
    throughput_per_s: Math.round((sorted.length / seconds) * 10) / 10,
    p50_ms: pct(50),
    p95_ms: pct(95),
    p99_ms: pct(99),
  };
}

/** Times one run at a time into raw latencies, so several kinds of run can be interleaved in rounds. */
export class Sampler {
  readonly latencies: number[] = [];
  private seconds = 0;

  async run(count: number, run: (i: number) => Promise<void>): Promise<void> {
    const started = performance.now();
    for (let k = 0; k < count; k++) {
      const t0 = performance.now();
      await run(this.latencies.length);
      this.latencies.push(performance.now() - t0);
    }
    this.seconds += (performance.now() - started) / 1000;
  }

  /** Latencies measured elsewhere (another process), one at a time. */
  add(latencies: number[]): void {
    this.latencies.push(...latencies);
    this.seconds += latencies.reduce((a, b) => a + b, 0) / 1000;
  }

  result(): Measured {
    return summarize(this.latencies, 1, this.seconds);
  }
}

/** Billable actions, counted from a history the way Temporal Cloud bills them (see README "Benchmarks"). */
const BILLABLE = new Set([
  'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED',
  'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED',
  'EVENT_TYPE_TIMER_STARTED',
  'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED',
  'EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED',
  'EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES',
]);

export function historyCost(events: { eventType?: string | null }[]): { events: number; actions: number } {
  return { events: events.length, actions: events.filter((e) => BILLABLE.has(String(e.eventType))).length };
}

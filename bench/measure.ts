/** Latency and throughput of `n` runs of `run`, `concurrency` at a time. */
export interface Measured {
  n: number;
  concurrency: number;
  throughput_per_s: number;
  p50_ms: number;
  p95_ms: number;
  p99_ms: number;
}

export async function measure(n: number, concurrency: number, run: (i: number) => Promise<void>): Promise<Measured> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, n) }, async () => {
      for (let i = next++; i < n; i = next++) {
        const t0 = performance.now();
        await run(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    Math.round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!);
  return {
    n,
    concurrency,
    throughput_per_s: Math.round((n / seconds) * 10) / 10,
    p50_ms: pct(50),
    p95_ms: pct(95),
    p99_ms: pct(99),
  };
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

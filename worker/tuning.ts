import type { WorkerOptions } from '@temporalio/worker';
import { ConfigError } from './config';

/** The worker options an operator may set from the environment; unset means the SDK's default (cache: ours). */
export type WorkerTuning = Pick<
  WorkerOptions,
  | 'maxCachedWorkflows'
  | 'maxConcurrentActivityTaskExecutions'
  | 'maxConcurrentWorkflowTaskExecutions'
  | 'maxActivitiesPerSecond'
  | 'maxTaskQueueActivitiesPerSecond'
>;

/**
 * The sticky cache size when WORKER_MAX_CACHED_WORKFLOWS is unset. The SDK's own default grows with the
 * heap limit (2310 on a 4 GiB heap), and open payments wait in the cache for their revoke window all
 * day: with 10,000 open, that default held the worker at 1076 and 1349 MiB RSS (two runs), 1000 at 682
 * and 702 MiB, with revoke latency no worse (an evicted payment replays ~20 events). Measured by `npm run bench`; README "Benchmarks".
 */
export const DEFAULT_MAX_CACHED_WORKFLOWS = 1000;

/**
 * Variable → option. Every activity is exactly one gateway call, so the two rate limits are gateway
 * call limits: per worker process, and per task queue (enforced by the server across all workers).
 */
const TUNING_VARIABLES = {
  WORKER_MAX_CACHED_WORKFLOWS: { option: 'maxCachedWorkflows', integer: true, min: 0 },
  WORKER_MAX_CONCURRENT_ACTIVITIES: { option: 'maxConcurrentActivityTaskExecutions', integer: true, min: 1 },
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: { option: 'maxConcurrentWorkflowTaskExecutions', integer: true, min: 2 },
  WORKER_MAX_ACTIVITIES_PER_SECOND: { option: 'maxActivitiesPerSecond', integer: false, min: 0 },
  TASK_QUEUE_MAX_ACTIVITIES_PER_SECOND: { option: 'maxTaskQueueActivitiesPerSecond', integer: false, min: 0 },
} as const satisfies Record<string, { option: keyof WorkerTuning; integer: boolean; min: number }>;

export const TUNING_VARIABLE_NAMES = Object.keys(TUNING_VARIABLES);

/** Reads the WORKER_* tuning variables; throws one ConfigError naming every bad one. */
export function loadWorkerTuning(env: NodeJS.ProcessEnv = process.env): WorkerTuning {
  const tuning: WorkerTuning = {};
  const problems: string[] = [];
  for (const [name, { option, integer, min }] of Object.entries(TUNING_VARIABLES)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    const ok = /^\d+(\.\d+)?$/.test(raw) && (!integer || Number.isSafeInteger(value)) && value >= min;
    // The per-second limits must be positive: 0 would stop every gateway call.
    if (!ok || (!integer && value === 0)) {
      problems.push(`${name} must be ${integer ? `an integer ≥ ${min}` : 'a positive number'}, got ${raw}`);
    } else {
      tuning[option] = value;
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return tuning;
}

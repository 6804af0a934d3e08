import type { Context } from '@temporalio/activity';
import { CallAbortedError } from './gateway/call-limits';

/** Heartbeat period when the heartbeat timeout allows it (the saga's is 10 s). */
export const HEARTBEAT_EVERY_MS = 2_000;

/**
 * Heartbeat period: 2 s, or a fifth of a shorter heartbeat timeout, so five beats fit in every timeout
 * and a late one costs nothing (money-rules R5: heartbeats report well inside the heartbeat timeout).
 * The SDK throttles what it sends to the server to 0.8 × the timeout; cancellation reaches the activity
 * only through those beats.
 */
export function heartbeatEveryMs(heartbeatTimeoutMs: number | undefined): number {
  return heartbeatTimeoutMs ? Math.min(HEARTBEAT_EVERY_MS, heartbeatTimeoutMs / 5) : HEARTBEAT_EVERY_MS;
}

/** Heartbeats from now until `work` settles, so a dead worker is noticed in seconds, not at startToClose. */
export async function withHeartbeats<T>(ctx: Context, work: Promise<T>): Promise<T> {
  ctx.heartbeat();
  const timer = setInterval(() => ctx.heartbeat(), heartbeatEveryMs(ctx.info.heartbeatTimeoutMs));
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}

const MAX_TIMER_MS = 2 ** 31 - 1;

/** Kept back from startToClose so the result reaches the server before it times the activity out. */
export const ACTIVITY_MARGIN_MS = 1_000;

/**
 * How long the activity may still run, from `startedAt` (performance.now() at its start): its
 * startToClose less a margin (a tenth of it when that is shorter). startToClose counts from the task's
 * start, a moment before the function runs, hence the margin. scheduleToClose is not used: it is
 * measured on the server's clock from the first schedule, and every gateway activity runs once.
 */
export function activityTimeLeftMs(info: Context['info'], startedAt: number): number | undefined {
  const budget = info.startToCloseTimeoutMs;
  if (!budget || budget <= 0) return undefined;
  return budget - Math.min(ACTIVITY_MARGIN_MS, budget / 10) - (performance.now() - startedAt);
}

/** The SDK's cancellation reason when this worker is shutting down (not a decision about the call). */
const WORKER_SHUTDOWN = 'WORKER_SHUTDOWN';

/**
 * The signal that ends the activity's gateway call (money-rules R5): when Temporal cancels the activity
 * (cancel requested, a timeout the server saw, the workflow gone, the activity paused or reset; each
 * reaches the worker with a heartbeat's answer), or when the activity's own time runs out, whichever is
 * first. The worker keeps its own count because the server's timeout reaches it only with the next
 * heartbeat. A graceful shutdown of this worker is not a cancellation of the call: the workflow still
 * waits for its answer, so the call runs on (within the shutdown grace time) and its result is recorded.
 */
export function activityCallSignal(ctx: Context, startedAt: number): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const cancelled = ctx.cancellationSignal;
  const onCancel = () => {
    const why = cancelled.reason instanceof Error ? cancelled.reason.message : String(cancelled.reason);
    if (why === WORKER_SHUTDOWN) return;
    controller.abort(new CallAbortedError('ACTIVITY_CANCELLED', `the activity was cancelled (${why})`));
  };
  if (cancelled.aborted) onCancel();
  else cancelled.addEventListener('abort', onCancel, { once: true });
  const left = activityTimeLeftMs(ctx.info, startedAt);
  const outOfTime = () =>
    controller.abort(new CallAbortedError('ACTIVITY_DEADLINE', "the activity's startToClose is running out"));
  let timer: NodeJS.Timeout | undefined;
  if (left !== undefined && left <= 0) outOfTime();
  // (A startToClose of weeks would overflow setTimeout; the call's own deadline comes first anyway.)
  else if (left !== undefined && left < MAX_TIMER_MS) timer = setTimeout(outOfTime, left);
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      cancelled.removeEventListener('abort', onCancel);
    },
  };
}

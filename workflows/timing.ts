import type { ResolvedTiming, TimingOverrides } from './types';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Asia/Shanghai is UTC+8 all year (no daylight saving), so its day boundaries are plain arithmetic. */
const SHANGHAI_OFFSET_MS = 8 * HOUR_MS;

/**
 * Production defaults. Confirm: query every 5 s until 45 s after pay started (reference §8.1: 3–5 s,
 * 40–50 s). Cancel: right after the last query, then 5 s doubling to a 5 min cap, deterministic
 * (no jitter), until the end of the business day.
 */
export const DEFAULT_TIMING = {
  confirmIntervalMs: 5_000,
  confirmWindowMs: 45_000,
  cancelDelaysMs: [5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000],
} as const;

/** First instant of the next Asia/Shanghai calendar day after `ms`. */
export function endOfShanghaiDay(ms: number): number {
  return Math.floor((ms + SHANGHAI_OFFSET_MS) / DAY_MS) * DAY_MS + DAY_MS - SHANGHAI_OFFSET_MS;
}

/** The timing one payment uses: overrides where given, defaults elsewhere; deadlines from the start. */
export function resolveTiming(overrides: TimingOverrides | undefined, startedAt: number): ResolvedTiming {
  const o = overrides ?? {};
  const endOfDay = endOfShanghaiDay(startedAt);
  return {
    confirmIntervalMs: o.confirmIntervalMs ?? DEFAULT_TIMING.confirmIntervalMs,
    confirmWindowMs: o.confirmWindowMs ?? DEFAULT_TIMING.confirmWindowMs,
    cancelDelaysMs: o.cancelDelaysMs ? [...o.cancelDelaysMs] : [...DEFAULT_TIMING.cancelDelaysMs],
    cancelDeadline: o.cancelDeadlineAfterMs !== undefined ? startedAt + o.cancelDeadlineAfterMs : endOfDay,
    revokeWindowEnd: o.revokeWindowAfterMs !== undefined ? startedAt + o.revokeWindowAfterMs : endOfDay,
  };
}

/** Pause before cancel attempt `attempt` (1-based; the first goes right after the last query). */
export function cancelDelayMs(timing: ResolvedTiming, attempt: number): number {
  if (attempt <= 1) return 0;
  const delays = timing.cancelDelaysMs;
  return delays[Math.min(attempt - 2, delays.length - 1)] ?? 0;
}

import type { ResolvedTiming, TimingOverrides } from './types';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Asia/Shanghai is UTC+8 all year (no daylight saving), so its day boundaries are plain arithmetic. */
const SHANGHAI_OFFSET_MS = 8 * HOUR_MS;

/**
 * Production defaults. Confirm: query every 5 s until 45 s after pay started (reference §8.1: 3–5 s,
 * 40–50 s). Cancel: right after the last query, then 5 s doubling to a 5 min cap, deterministic
 * (no jitter), until the end of the business day. Pay: not sent 30 s after the start (the barcode
 * and the till have moved on). Doubt: a request without an answer may take effect up to 60 s after
 * it was sent (pay's 50 s read timeout plus connect; cancel and revoke read for less).
 *
 * A new payment records the values it uses (activities/admission.ts, an activity), so
 * changing a default here changes new payments only (money rules R8).
 */
export const DEFAULT_TIMING = {
  confirmIntervalMs: 5_000,
  confirmWindowMs: 45_000,
  cancelDelaysMs: [5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000],
  paySendDeadlineMs: 30_000,
  requestDoubtMs: 60_000,
} as const;

/** First instant of the next Asia/Shanghai calendar day after `ms`. */
export function endOfShanghaiDay(ms: number): number {
  return Math.floor((ms + SHANGHAI_OFFSET_MS) / DAY_MS) * DAY_MS + DAY_MS - SHANGHAI_OFFSET_MS;
}

/**
 * The timing one payment uses: overrides where given, defaults elsewhere; deadlines from the start.
 * `legacy` (payments started before the money rules) has no pay send deadline and no doubt window.
 */
export function resolveTiming(
  overrides: TimingOverrides | undefined,
  startedAt: number,
  rules: 'legacy' | 'money-rules' = 'money-rules',
): ResolvedTiming {
  const o = overrides ?? {};
  const endOfDay = endOfShanghaiDay(startedAt);
  const timing: ResolvedTiming = {
    confirmIntervalMs: o.confirmIntervalMs ?? DEFAULT_TIMING.confirmIntervalMs,
    confirmWindowMs: o.confirmWindowMs ?? DEFAULT_TIMING.confirmWindowMs,
    cancelDelaysMs: o.cancelDelaysMs ? [...o.cancelDelaysMs] : [...DEFAULT_TIMING.cancelDelaysMs],
    cancelDeadline: o.cancelDeadlineAfterMs !== undefined ? startedAt + o.cancelDeadlineAfterMs : endOfDay,
    revokeWindowEnd: o.revokeWindowAfterMs !== undefined ? startedAt + o.revokeWindowAfterMs : endOfDay,
  };
  if (rules === 'legacy') return timing;
  return {
    ...timing,
    paySendDeadline: startedAt + (o.paySendDeadlineMs ?? DEFAULT_TIMING.paySendDeadlineMs),
    requestDoubtMs: o.requestDoubtMs ?? DEFAULT_TIMING.requestDoubtMs,
  };
}

/**
 * Pause before reversal attempt `attempt` (1-based; the first goes right away). Cancel and revoke
 * share this back-off: `cancelDelaysMs` is named after its first user, and renaming an input field
 * would break payments started with it.
 */
export function reversalDelayMs(timing: ResolvedTiming, attempt: number): number {
  if (attempt <= 1) return 0;
  const delays = timing.cancelDelaysMs;
  return delays[Math.min(attempt - 2, delays.length - 1)] ?? 0;
}

/** When attempts run: a pause before each, and the last instant one may start (schedule.ts). */
export interface Schedule {
  delayBeforeMs(attempt: number): number;
  /** Inclusive. The first attempt runs whatever the time. */
  lastStartAt: number;
}

/** Confirm queries: one every interval, the last one at most confirmWindowMs after pay started. */
export function confirmSchedule(timing: ResolvedTiming, payStartedAt: number): Schedule {
  return { delayBeforeMs: () => timing.confirmIntervalMs, lastStartAt: payStartedAt + timing.confirmWindowMs };
}

/** Cancels (冲正): none starts at or after the cancel deadline (times are whole ms, so -1 is "before"). */
export function cancelSchedule(timing: ResolvedTiming): Schedule {
  return { delayBeforeMs: (n) => reversalDelayMs(timing, n), lastStartAt: timing.cancelDeadline - 1 };
}

/** Revokes: none starts once the revoke window has closed. */
export function revokeSchedule(timing: ResolvedTiming): Schedule {
  return { delayBeforeMs: (n) => reversalDelayMs(timing, n), lastStartAt: timing.revokeWindowEnd - 1 };
}

/** Revoke (手动撤单) is allowed on the payment's own business day only: until revokeWindowEnd, exclusive. */
export function revokeWindowOpen(timing: ResolvedTiming, now: number): boolean {
  return now < timing.revokeWindowEnd;
}

/** How long until the revoke window closes (≤ 0 once it has). */
export function untilRevokeWindowCloses(timing: ResolvedTiming, now: number): number {
  return timing.revokeWindowEnd - now;
}

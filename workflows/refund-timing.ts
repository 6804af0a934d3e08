import type { Schedule } from './timing';
import type { RefundResolvedTiming, RefundTimingOverrides } from './refund-types';

/**
 * Refund defaults. Look and refund attempts: right away, then 5 s doubling to a 5 min cap, deterministic
 * (no jitter), as the payment's reversals. Deadline: an hour after the start; a refund with no definite
 * answer by then goes to a person (a refund has no same-day limit, but the returns desk is waiting).
 * Doubt: a refund without an answer may take effect up to 60 s after it was sent (35 s call deadline
 * plus margin). Resolved once by an activity and recorded in history (money rules R8).
 */
export const DEFAULT_REFUND_TIMING = {
  retryDelaysMs: [5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000],
  deadlineAfterMs: 3_600_000,
  requestDoubtMs: 60_000,
  checkIntervalMs: 5_000,
} as const;

/** The timing one refund uses: overrides where given, defaults elsewhere; the deadline from the start. */
export function resolveRefundTiming(
  overrides: RefundTimingOverrides | undefined,
  startedAt: number,
): RefundResolvedTiming {
  const o = overrides ?? {};
  return {
    retryDelaysMs: o.retryDelaysMs ? [...o.retryDelaysMs] : [...DEFAULT_REFUND_TIMING.retryDelaysMs],
    deadline: startedAt + (o.deadlineAfterMs ?? DEFAULT_REFUND_TIMING.deadlineAfterMs),
    requestDoubtMs: o.requestDoubtMs ?? DEFAULT_REFUND_TIMING.requestDoubtMs,
    checkIntervalMs: o.checkIntervalMs ?? DEFAULT_REFUND_TIMING.checkIntervalMs,
  };
}

/** Pause before attempt `attempt` (1-based; the first goes right away). */
export function refundDelayMs(timing: RefundResolvedTiming, attempt: number): number {
  if (attempt <= 1) return 0;
  const delays = timing.retryDelaysMs;
  return delays[Math.min(attempt - 2, delays.length - 1)] ?? 0;
}

/** Looks and refunds: none starts at or after the deadline (whole ms, so -1 is "before"). */
export function refundSchedule(timing: RefundResolvedTiming): Schedule {
  return { delayBeforeMs: (n) => refundDelayMs(timing, n), lastStartAt: timing.deadline - 1 };
}

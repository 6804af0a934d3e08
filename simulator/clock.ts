/** The simulator's notion of "now": an injectable base clock plus a test-controlled offset. */
export interface SimClock {
  now(): number;
  setOffset(ms: number): void;
  offset(): number;
}

export function createClock(base: () => number = Date.now): SimClock {
  let offsetMs = 0;
  return {
    now: () => base() + offsetMs,
    setOffset: (ms) => {
      offsetMs = ms;
    },
    offset: () => offsetMs,
  };
}

export const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Calendar day in Asia/Shanghai (UTC+8, no DST since 1991) as `YYYY-MM-DD`.
 * Revoke/cancel of a paid order is allowed only on the day it was paid (reference §4.7).
 */
export function shanghaiDay(ms: number): string {
  return new Date(ms + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** Whole Asia/Shanghai calendar days since the epoch: day arithmetic for key expiry ("older than one natural day"). */
export function shanghaiDayNumber(ms: number): number {
  return Math.floor((ms + SHANGHAI_OFFSET_MS) / DAY_MS);
}

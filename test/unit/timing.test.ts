import { maxCallMs } from '../../activities/gateway/timeouts';
import { ACTIVITY_TIMEOUTS_MS } from '../../workflows/gateway-steps';
import { DEFAULT_TIMING, reversalDelayMs, endOfShanghaiDay, resolveTiming } from '../../workflows/timing';

describe('endOfShanghaiDay', () => {
  it.each([
    ['2026-11-25T00:00:00+08:00', '2026-11-26T00:00:00+08:00'],
    ['2026-11-25T23:59:59.999+08:00', '2026-11-26T00:00:00+08:00'],
    ['2026-11-25T15:59:59Z', '2026-11-26T00:00:00+08:00'], // 23:59:59 in Shanghai
    ['2026-11-25T16:00:00Z', '2026-11-27T00:00:00+08:00'], // already the 26th in Shanghai
  ])('%s → %s', (at, end) => expect(endOfShanghaiDay(Date.parse(at))).toBe(Date.parse(end)));
});

describe('resolveTiming', () => {
  const start = Date.parse('2026-11-25T10:00:00+08:00');
  it('uses the production defaults and the end of the business day', () => {
    expect(resolveTiming(undefined, start)).toEqual({
      confirmIntervalMs: 5_000,
      confirmWindowMs: 45_000,
      cancelDelaysMs: [...DEFAULT_TIMING.cancelDelaysMs],
      cancelDeadline: Date.parse('2026-11-26T00:00:00+08:00'),
      revokeWindowEnd: Date.parse('2026-11-26T00:00:00+08:00'),
      paySendDeadline: start + 30_000,
      requestDoubtMs: 60_000,
    });
  });
  it('has no send deadline and no doubt window for a payment under the legacy rules', () => {
    const legacy = resolveTiming(undefined, start, 'legacy');
    expect(legacy).not.toHaveProperty('paySendDeadline');
    expect(legacy).not.toHaveProperty('requestDoubtMs');
  });
  it('applies per-payment overrides relative to the start', () => {
    expect(
      resolveTiming({ confirmIntervalMs: 100, cancelDeadlineAfterMs: 1_000, revokeWindowAfterMs: 2_000 }, start),
    ).toMatchObject({
      confirmIntervalMs: 100,
      cancelDeadline: start + 1_000,
      revokeWindowEnd: start + 2_000,
    });
  });
});

describe('reversalDelayMs (the deterministic schedule)', () => {
  const timing = resolveTiming(undefined, 0);
  it('sends the first attempt right away, then 5 s doubling to a 5 min cap, no jitter', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 20].map((n) => reversalDelayMs(timing, n))).toEqual([
      0, 5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000,
    ]);
  });
});

describe('activity timeouts', () => {
  it.each(['pay', 'query', 'cancel', 'revoke'] as const)(
    '%s startToClose outlasts the HTTP client so it classifies its own timeout',
    (op) => {
      expect(ACTIVITY_TIMEOUTS_MS[op]).toBeGreaterThan(maxCallMs(op));
    },
  );
  it('lets pay outlast the gateway hold of 35 s', () => {
    expect(maxCallMs('pay')).toBeGreaterThan(35_000);
  });
});

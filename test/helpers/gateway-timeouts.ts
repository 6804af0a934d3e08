/**
 * Call deadlines short enough that a hanging gateway costs a test (or a fuzz schedule) seconds, not a
 * minute. Pay stays above the others, as in production.
 */
export const TEST_GATEWAY_TIMEOUTS = {
  pay: { totalMs: 2_000 },
  query: { totalMs: 1_000 },
  cancel: { totalMs: 1_000 },
  revoke: { totalMs: 1_000 },
};

/**
 * HTTP read timeouts short enough that a hanging gateway costs a test (or a fuzz schedule) seconds,
 * not a minute. Pay stays above the others, as in production.
 */
export const TEST_GATEWAY_TIMEOUTS = {
  pay: { headersMs: 2_000, bodyMs: 1_000 },
  query: { headersMs: 1_000, bodyMs: 1_000 },
  cancel: { headersMs: 1_000, bodyMs: 1_000 },
  revoke: { headersMs: 1_000, bodyMs: 1_000 },
};

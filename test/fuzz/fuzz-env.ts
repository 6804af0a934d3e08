/** The fuzz worker's terminal (simulated) and short read timeouts, so a hanging gateway costs a second. */
export const FUZZ_TERMINAL = { terminalSn: '100000000000000099', terminalKey: 'f00dfeed0123456789abcdef01234567' };

export const FUZZ_GATEWAY_TIMEOUTS = {
  pay: { headersMs: 2_000, bodyMs: 1_000 },
  query: { headersMs: 1_000, bodyMs: 1_000 },
  cancel: { headersMs: 1_000, bodyMs: 1_000 },
  revoke: { headersMs: 1_000, bodyMs: 1_000 },
};

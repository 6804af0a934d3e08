/** The fuzz worker's terminal (simulated). Its read timeouts are the tests' (test/helpers/gateway-timeouts.ts). */
export const FUZZ_TERMINAL = { terminalSn: '100000000000000099', terminalKey: 'f00dfeed0123456789abcdef01234567' };

import type { GatewayOperation } from '../../workflows/types';

/** Read timeouts for one call: until response headers, then between body chunks. */
export interface ReadTimeouts {
  headersMs: number;
  bodyMs: number;
}

/**
 * Connect timeout, per origin: undici sets it on the dispatcher, not per request. 5 s as the
 * official proxy server uses (reference §8.1 item 6).
 */
export const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Per-operation read timeouts (reference §8.5). pay must outlast the gateway's hold of up to 35 s
 * plus network: 50 s, as the proxy docs (~45 s) and a third-party client (50 s) do.
 */
export const READ_TIMEOUTS: Record<GatewayOperation, ReadTimeouts> = {
  pay: { headersMs: 50_000, bodyMs: 10_000 },
  query: { headersMs: 10_000, bodyMs: 10_000 },
  cancel: { headersMs: 30_000, bodyMs: 10_000 },
  revoke: { headersMs: 30_000, bodyMs: 10_000 },
  refund: { headersMs: 30_000, bodyMs: 10_000 },
};

/** activate and checkin: 35 s and 20 s as the Android SDK uses (reference §8, SDK-AND), plus network. */
export const TERMINAL_CALL_TIMEOUTS: Record<'activate' | 'checkin', ReadTimeouts> = {
  activate: { headersMs: 40_000, bodyMs: 10_000 },
  checkin: { headersMs: 25_000, bodyMs: 10_000 },
};

/** The longest one call can take on the client side; activity timeouts must stay above it. */
export function maxCallMs(operation: GatewayOperation): number {
  const read = READ_TIMEOUTS[operation];
  return CONNECT_TIMEOUT_MS + read.headersMs + read.bodyMs;
}

import type { GatewayOperation } from '../../workflows/types';

/**
 * One call's deadline (money-rules R5), counted from the moment the call is made: time queued in the
 * connection pool, connect, send and read all spend it. A request still queued when it passes is never
 * sent.
 */
export interface CallDeadline {
  totalMs: number;
}

/**
 * Connect timeout, per origin: undici sets it on the dispatcher, not per request. 5 s as the
 * official proxy server uses (reference §8.1 item 6). It bounds one connection attempt; the call's
 * deadline bounds the whole call.
 */
export const CONNECT_TIMEOUT_MS = 5_000;

/**
 * Per-operation deadlines (reference §8.5). pay must outlast the gateway's hold of up to 35 s plus
 * network: 55 s leaves 50 s to read, as the proxy docs (~45 s) and a third-party client (50 s) do,
 * after a connect. query 15 s (the doc's clients use 5–20 s); cancel, revoke and refund 35 s (30 s
 * read, as the official proxy server).
 */
export const CALL_DEADLINES: Record<GatewayOperation, CallDeadline> = {
  pay: { totalMs: 55_000 },
  query: { totalMs: 15_000 },
  cancel: { totalMs: 35_000 },
  revoke: { totalMs: 35_000 },
  refund: { totalMs: 35_000 },
};

/**
 * A request with a send deadline (pay's, revoke's window end) leaves at least this long before it, so
 * that it reaches the gateway in time: the trip there (tens to hundreds of ms) plus the gap between the
 * worker's clock and the gateway's (NTP keeps it well under a second). Found by fuzz seed 108 (generator
 * 2): a revoke written 1 ms before the window's end reached the gateway 16 ms after it.
 */
export const ARRIVAL_MARGIN_MS = 2_000;

/** activate and checkin: 35 s and 20 s as the Android SDK uses (reference §8, SDK-AND), plus network. */
export const TERMINAL_CALL_DEADLINES: Record<'activate' | 'checkin', CallDeadline> = {
  activate: { totalMs: 45_000 },
  checkin: { totalMs: 30_000 },
};

/** The longest one call can take on the client side; activity timeouts must stay above it. */
export function maxCallMs(operation: GatewayOperation): number {
  return CALL_DEADLINES[operation].totalMs;
}

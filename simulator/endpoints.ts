import type { EnvelopeWire } from '../activities/gateway/models';
import { Endpoint } from '../activities/gateway/models';
import { clientError } from './envelopes';

/**
 * The upay endpoints this simulator serves (and /terminal/uploadLog, upload-log.ts); anything else, precreate
 * included, gets `unknownPath`.
 */
export const SERVED = ['pay', 'query', 'cancel', 'revoke', 'refund'] as const;
export type ServedEndpoint = (typeof SERVED)[number];

/** Terminal lifecycle endpoints: their own signer (activate: the vendor) and answer shape (reference §3.1, §4.1–4.2). */
export const TERMINAL_SERVED = ['activate', 'checkin'] as const;
export type TerminalEndpoint = (typeof TERMINAL_SERVED)[number];

const ROUTES = new Map<string, ServedEndpoint>(SERVED.map((name) => [Endpoint[name], name]));
const TERMINAL_ROUTES = new Map<string, TerminalEndpoint>(TERMINAL_SERVED.map((name) => [Endpoint[name], name]));

export function endpointFor(path: string): ServedEndpoint | undefined {
  return ROUTES.get(path);
}

export function terminalEndpointFor(path: string): TerminalEndpoint | undefined {
  return TERMINAL_ROUTES.get(path);
}

/**
 * The answer for a path the simulator does not serve: HTTP 200 with the top-level client error, as for any
 * request the gateway cannot act on (reference §3.2: 400 = "客户端错误", no business action happened). Which
 * code the real gateway gives is undocumented; INVALID_PARAMS is our guess.
 */
export function unknownPath(path: string): EnvelopeWire {
  return clientError('INVALID_PARAMS', `不支持的接口: ${path.slice(0, 64)}`);
}

import { Endpoint } from '../activities/gateway/models';

/** The upay endpoints this simulator serves; anything else (precreate, /terminal/uploadLog) is a 404. */
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

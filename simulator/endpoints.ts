import { Endpoint } from '../activities/gateway/models';

/** The upay endpoints this simulator serves; anything else (precreate, terminal/*) is a 404. */
export const SERVED = ['pay', 'query', 'cancel', 'revoke', 'refund'] as const;
export type ServedEndpoint = (typeof SERVED)[number];

const ROUTES = new Map<string, ServedEndpoint>(SERVED.map((name) => [Endpoint[name], name]));

export function endpointFor(path: string): ServedEndpoint | undefined {
  return ROUTES.get(path);
}

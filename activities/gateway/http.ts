import { Pool, request, type Dispatcher } from 'undici';
import type { RawExchange } from './classify';
import { authorizationHeader } from './signing';
import { CONNECT_TIMEOUT_MS, type ReadTimeouts } from './timeouts';

/** A connection pool for one gateway origin. Tests pass their own dispatcher instead. */
export function createGatewayDispatcher(origin: string): Dispatcher {
  return new Pool(origin, { connect: { timeout: CONNECT_TIMEOUT_MS }, connections: 32 });
}

export interface SignedPost {
  dispatcher: Dispatcher;
  url: string;
  body: object;
  /** Terminal (or vendor) sn and key used for the signature. The key goes nowhere else. */
  signer: { sn: string; key: string };
  timeouts: ReadTimeouts;
}

/** undici error code, errno code, or the error's name: never its message (it may quote a URL). */
function transportCode(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && code) return code;
  const name = (err as { name?: unknown }).name;
  return typeof name === 'string' && name ? name : 'UNKNOWN_TRANSPORT_ERROR';
}

/**
 * One signed POST. Serializes once, signs those exact bytes and sends those exact bytes. Never
 * retries (Temporal owns retries) and never throws for network trouble: that is an exchange too.
 */
export async function postSigned({ dispatcher, url, body, signer, timeouts }: SignedPost): Promise<RawExchange> {
  const bytes = Buffer.from(JSON.stringify(body), 'utf8');
  try {
    const response = await request(url, {
      dispatcher,
      method: 'POST',
      body: bytes,
      headers: {
        'content-type': 'application/json',
        authorization: authorizationHeader(signer.sn, bytes, signer.key),
      },
      headersTimeout: timeouts.headersMs,
      bodyTimeout: timeouts.bodyMs,
    });
    const text = await response.body.text();
    return { kind: 'http', status: response.statusCode, body: text };
  } catch (err) {
    return { kind: 'transport', code: transportCode(err) };
  }
}

import { createHash } from 'node:crypto';

/**
 * upay v2 request signature: lowercase hex MD5 over the exact body bytes followed by the key
 * (no separator). The caller must send the very same bytes it signed.
 */
export function signBody(body: string | Uint8Array, key: string): string {
  return createHash('md5').update(body).update(key, 'utf8').digest('hex');
}

/** The `Authorization` header value: `<sn> <sign>`, exactly one space. */
export function authorizationHeader(sn: string, body: string | Uint8Array, key: string): string {
  return `${sn} ${signBody(body, key)}`;
}

import { timingSafeEqual } from 'node:crypto';
import { signBody } from '../activities/gateway/signing';
import type { KeyRole, ValidKey } from './terminal-keys';

/** `Authorization: <sn> <32 lowercase hex>`, exactly one space (reference §2.1). */
const HEADER = /^(\S+) ([0-9a-f]{32})$/;

/** The keys that may have signed for this sn (terminal: current and previous; vendor: its one key). */
export type KeyLookup = (sn: string) => readonly ValidKey[] | undefined;

export type AuthResult =
  { ok: true; sn: string; role: KeyRole } | { ok: false; sn?: string; errorCode: 'ILLEGAL_SIGN' | 'INVALID_TERMINAL' };

/**
 * Verifies md5(raw body bytes + key) over the exact bytes received; the body is never re-serialized.
 * An sn with no entry answers `unknownSn` (INVALID_TERMINAL for terminals); an sn whose keys all expired, or a
 * signature made with none of its valid keys, answers ILLEGAL_SIGN (§2.1: an expired/invalid key gives ILLEGAL_SIGN).
 */
export function authenticate(
  header: string | undefined,
  rawBody: Buffer,
  keysOf: KeyLookup,
  unknownSn: 'ILLEGAL_SIGN' | 'INVALID_TERMINAL',
): AuthResult {
  const match = header === undefined ? null : HEADER.exec(header);
  if (!match) return { ok: false, errorCode: 'ILLEGAL_SIGN' };
  const sn = match[1] ?? '';
  const given = Buffer.from(match[2] ?? '', 'utf8');
  const keys = keysOf(sn);
  if (keys === undefined) return { ok: false, sn, errorCode: unknownSn };
  let role: KeyRole | undefined;
  for (const candidate of keys) {
    // Every valid key is tried (no early exit), so timing says nothing about which one matched.
    const valid = timingSafeEqual(Buffer.from(signBody(rawBody, candidate.key), 'utf8'), given);
    if (valid && role === undefined) role = candidate.role;
  }
  return role ? { ok: true, sn, role } : { ok: false, sn, errorCode: 'ILLEGAL_SIGN' };
}

import { timingSafeEqual } from 'node:crypto';
import { signBody } from '../activities/gateway/signing';
import type { TerminalRegistry } from './terminals';

/** `Authorization: <terminal_sn> <32 lowercase hex>`, exactly one space (reference §2.1). */
const HEADER = /^(\S+) ([0-9a-f]{32})$/;

export type AuthResult =
  { ok: true; terminalSn: string } | { ok: false; terminalSn?: string; errorCode: 'ILLEGAL_SIGN' | 'INVALID_TERMINAL' };

/** Verifies md5(raw body bytes + key) over the exact bytes received; the body is never re-serialized. */
export function authenticate(header: string | undefined, rawBody: Buffer, terminals: TerminalRegistry): AuthResult {
  const match = header === undefined ? null : HEADER.exec(header);
  if (!match) return { ok: false, errorCode: 'ILLEGAL_SIGN' };
  const terminalSn = match[1] ?? '';
  const given = match[2] ?? '';
  const key = terminals.keyOf(terminalSn);
  if (key === undefined) return { ok: false, terminalSn, errorCode: 'INVALID_TERMINAL' };
  const expected = signBody(rawBody, key);
  const valid = timingSafeEqual(Buffer.from(expected, 'utf8'), Buffer.from(given, 'utf8'));
  return valid ? { ok: true, terminalSn } : { ok: false, terminalSn, errorCode: 'ILLEGAL_SIGN' };
}

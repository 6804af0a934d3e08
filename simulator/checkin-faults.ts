/**
 * Test-controlled check-in failures, per terminal (POST /_sim/checkin-faults). Orders get their faults from
 * scenarios; a check-in has no order, so its faults are queued on the terminal instead.
 * - 'error': top-level 500 UNKNOWN_SYSTEM_ERROR, the key is not rotated.
 * - 'drop': the key IS rotated, then the connection is destroyed before the answer: the caller misses the new key
 *   (reference §2.4 "若因网络或其他原因未收到签到响应，可使用旧密钥再次发起签到请求").
 */
export type CheckinFaultMode = 'error' | 'drop';

export const CHECKIN_FAULT_MODES: readonly CheckinFaultMode[] = ['error', 'drop'];

export class CheckinFaults {
  private readonly pending = new Map<string, { remaining: number; mode: CheckinFaultMode }>();

  /** The next `failNext` check-ins of this terminal fail with `mode` (replaces what was queued; 0 clears). */
  set(terminalSn: string, failNext: number, mode: CheckinFaultMode): void {
    if (failNext <= 0) this.pending.delete(terminalSn);
    else this.pending.set(terminalSn, { remaining: failNext, mode });
  }

  /** Consumes one queued failure, if any. */
  take(terminalSn: string): CheckinFaultMode | undefined {
    const entry = this.pending.get(terminalSn);
    if (!entry) return undefined;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.pending.delete(terminalSn);
    return entry.mode;
  }

  reset(): void {
    this.pending.clear();
  }
}

export interface CheckinFaultRequest {
  terminalSn: string;
  failNext: number;
  mode: CheckinFaultMode;
}

/** `{terminal_sn, fail_next, mode?}` (mode default 'error'); a string names what is wrong. */
export function parseCheckinFault(body: Record<string, unknown> | undefined): CheckinFaultRequest | string {
  const terminalSn = body?.terminal_sn;
  const failNext = body?.fail_next;
  const mode = body?.mode ?? 'error';
  if (typeof terminalSn !== 'string' || terminalSn === '') return 'terminal_sn must be a non-empty string';
  if (typeof failNext !== 'number' || !Number.isSafeInteger(failNext) || failNext < 0) {
    return 'fail_next must be a non-negative integer';
  }
  if (!CHECKIN_FAULT_MODES.includes(mode as CheckinFaultMode))
    return `mode must be one of ${CHECKIN_FAULT_MODES.join(', ')}`;
  return { terminalSn, failNext, mode: mode as CheckinFaultMode };
}

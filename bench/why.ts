import type { PaymentStatus } from '../workflows/types';

/** What a payment's status says about how it ended: its last gateway call, or its escalation. */
export function why(s: PaymentStatus): string {
  const last = s.calls.at(-1);
  const call = last ? `last call ${last.step} ${last.operation}: ${last.kind} ${last.reason}` : 'no gateway call';
  return `${call}, ${Date.now() - s.startedAt} ms since its start${s.escalation ? `, escalated: ${s.escalation.reason}` : ''}`;
}

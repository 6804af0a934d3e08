import type { OthersMeanwhile } from './unfriendly-scenarios';

/**
 * Effects the gateway has accepted but not applied yet: late requests still in the queue and slow reversals.
 * Like `settle`, they are due on the simulator clock and applied lazily: every request, ledger read and
 * pending view first lands whatever is due, each at its own due time, so the books never depend on when
 * somebody looked. Tests and the fuzz wait until `view()` is empty before they judge the books.
 */

export type PendingKind =
  'late-pay' | 'late-cancel' | 'late-revoke' | 'late-refund' | 'slow-cancel' | 'slow-revoke' | 'slow-refund';

export interface PendingEffect {
  kind: PendingKind;
  dueAt: number;
  terminalSn: string;
  clientSn: string;
  /** Absent for a late pay: its order does not exist yet. */
  sn?: string;
  /** Refunds: the refund it is. */
  refundRequestNo?: string;
  /** Slow reversals only: how other cancel/revoke calls on the order are answered until this lands. */
  othersMeanwhile?: OthersMeanwhile;
  /** Applies the effect as of `at` (its due time). */
  land(at: number): void;
}

/** GET /_sim/pending and `ledger().pending`. */
export interface PendingView {
  kind: PendingKind;
  due_at: number;
  terminal_sn: string;
  client_sn: string;
  sn?: string;
  refund_request_no?: string;
}

export class PendingEffects {
  private effects: PendingEffect[] = [];

  add(effect: PendingEffect): void {
    this.effects.push(effect);
  }

  /** Lands every effect due by `now`, earliest first (ties in the order they were accepted). */
  landDue(now: number): void {
    for (;;) {
      let next: PendingEffect | undefined;
      for (const e of this.effects) if (e.dueAt <= now && (next === undefined || e.dueAt < next.dueAt)) next = e;
      if (next === undefined) return;
      this.effects = this.effects.filter((e) => e !== next);
      next.land(next.dueAt);
    }
  }

  /** The rule of the earliest slow reversal still pending on this order, if any. */
  othersMeanwhile(sn: string): OthersMeanwhile | undefined {
    return this.effects.find((e) => e.sn === sn && e.othersMeanwhile !== undefined)?.othersMeanwhile;
  }

  /** A reversal the gateway accepted (slow) is still to land on this order: refunds are refused meanwhile. */
  reversalAccepted(sn: string): boolean {
    return this.effects.some((e) => e.sn === sn && (e.kind === 'slow-cancel' || e.kind === 'slow-revoke'));
  }

  view(): PendingView[] {
    return [...this.effects]
      .sort((a, b) => a.dueAt - b.dueAt)
      .map((e) => {
        const v: PendingView = { kind: e.kind, due_at: e.dueAt, terminal_sn: e.terminalSn, client_sn: e.clientSn };
        if (e.sn !== undefined) v.sn = e.sn;
        if (e.refundRequestNo !== undefined) v.refund_request_no = e.refundRequestNo;
        return v;
      });
  }

  reset(): void {
    this.effects = [];
  }
}

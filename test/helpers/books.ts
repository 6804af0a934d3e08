import { NO_REFUNDS, comparePayment, type PaymentRefunds } from '../../scripts/reconcile/reconcile';
import type { LedgerView } from '../../simulator';
import type { PaymentStatus } from '../../workflows/types';

/** The simulator's order for one payment, if the gateway ever saw it. */
export function orderOf(ledger: LedgerView, payment: Pick<PaymentStatus, 'terminalSn' | 'clientSn'>) {
  return ledger.orders.find((o) => o.terminal_sn === payment.terminalSn && o.client_sn === payment.clientSn);
}

/**
 * No 单边账, checked for one concluded payment against the simulator's books: the gateway kept the
 * money exactly when the saga says PAID (the production check, scripts/reconcile `comparePayment`), an
 * escalation says why, and the order was paid at most once and reversed at most once. `refunds`: what
 * the payment's refund workflows gave back (scripts/reconcile `refundsOf`), so kept = paid − refunded.
 * Returns violations.
 */
export function bookViolations(
  status: PaymentStatus,
  ledger: LedgerView,
  refunds: PaymentRefunds = NO_REFUNDS,
): string[] {
  const v: string[] = [];
  const order = orderOf(ledger, status);
  const kept = order?.kept_fen ?? 0;
  const verdict = comparePayment(status, kept, refunds);
  if (status.state === 'NEEDS_ATTENTION') {
    if (!status.escalation?.reason) v.push('NEEDS_ATTENTION without a reason');
  } else if (verdict === 'open') {
    v.push(`ended in ${status.state}`);
  } else if (verdict !== 'matched') {
    const refunded = refunds.refundedFen > 0 ? `, refunded ${refunds.refundedFen}` : '';
    v.push(
      `${verdict}: saga ${status.state} ${status.amountFen}${refunded}, gateway kept ${kept} (${order?.order_status})`,
    );
  }
  const pays = ledger.counters.pay_calls_by_client_sn[status.clientSn] ?? 0;
  if (pays > 1) v.push(`client_sn paid ${pays} times`);
  if (order && (ledger.counters.reversals_by_sn[order.sn] ?? 0) > 1) v.push('order reversed twice');
  return v;
}

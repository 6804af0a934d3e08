/**
 * Issue #16 part 3, "the payment knows": what a payment's workflow learns of its order's refunds. Each
 * refund workflow (refund-saga.ts) tells the payment's workflow of its refund with the signal
 * `refundRecorded` (definitions.ts): REFUNDING after its look, before anything is sent; then how it
 * concluded. The payment keeps it in `status.refunds`, refuses a revoke after it without sending one
 * (the gateway forbids a revoke after a refund), waits at close for a refund in flight, and checks the
 * gateway's books (PARTIAL_REFUNDED / REFUNDED, net_amount = paid − refunded) against what it was told.
 */
import { FINAL_REFUND_STATES, type PaymentRefundState, type PaymentState, type RefundNotice } from './types';

/**
 * Patch id (2026-12-03). Asked in the signal handler when a refund is told (payments started before it
 * replay as they ran: none was told), and in the revoke's look when it shows the order refunded (before
 * it, that went to a person). The refund workflow asks it before it first tells a payment.
 */
export const PAYMENT_KNOWS_REFUNDS = 'payment-knows-refunds';

/**
 * How long the check at close waits for a refund told of and not concluded (a refund workflow stops
 * sending after 1 h and waits out its doubt; one in NEEDS_ATTENTION waits for a person). Then the
 * payment goes to a person, told which refund.
 */
export const REFUND_WAIT_AT_CLOSE_MS = 2 * 60 * 60 * 1000;

const NOTICE_STATES: readonly PaymentRefundState[] = ['REFUNDING', 'NEEDS_ATTENTION', ...FINAL_REFUND_STATES];

/** Why a `refundRecorded` signal cannot be recorded, or undefined if it can. */
export function refundNoticeRejection(notice: unknown, state: PaymentState, closing: boolean): string | undefined {
  if (typeof notice !== 'object' || notice === null)
    return 'must be a JSON object like {"refundRequestNo":"…","amountFen":…,"state":"REFUNDING"}';
  const n = notice as Partial<RefundNotice>;
  const problems: string[] = [];
  if (typeof n.refundRequestNo !== 'string' || n.refundRequestNo.length === 0 || n.refundRequestNo.length > 20)
    problems.push('refundRequestNo: 1 to 20 characters');
  if (typeof n.amountFen !== 'number' || !Number.isSafeInteger(n.amountFen) || n.amountFen <= 0)
    problems.push('amountFen: a positive integer');
  if (typeof n.state !== 'string' || !NOTICE_STATES.includes(n.state))
    problems.push(`state: one of ${NOTICE_STATES.join(', ')}`);
  if (problems.length > 0) return problems.join('; ');
  if (closing) return `payment closed as ${state}; a refund now is the books' concern (reconcile)`;
  return undefined;
}

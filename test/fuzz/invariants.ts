import type { LedgerView } from '../../simulator';
import type { PaymentStatus } from '../../workflows/types';
import { bookViolations, orderOf } from '../helpers/books';

/**
 * The promise to a merchant, checked for one payment: `concluded` is what the saga decided on its
 * own (before any operator resolution), `ledger` the gateway's books at the end. Returns violations.
 */
export function paymentViolations(concluded: PaymentStatus, ledger: LedgerView): string[] {
  const v = bookViolations(concluded, ledger);
  const order = orderOf(ledger, concluded);
  for (const t of order?.history ?? []) {
    if (t.cause === 'revoke' && t.from !== 'PAID') v.push(`revoke moved the order from ${t.from}`);
    if (t.cause === 'revoke' && !concluded.revoke) v.push('the gateway saw a revoke nobody asked for');
  }
  const requests = ledger.requests.filter((r) => r.client_sn === concluded.clientSn || (order && r.sn === order.sn));
  // Same business day: the gateway must receive every revoke before the saga's revoke window closes.
  const lateRevokes = requests.filter(
    (r) => r.endpoint.endsWith('/revoke') && r.at >= concluded.timing.revokeWindowEnd,
  );
  if (lateRevokes.length > 0)
    v.push(`revoke reached the gateway ${lateRevokes[0]!.at - concluded.timing.revokeWindowEnd} ms after the window`);
  if (requests.some((r) => !r.signature_valid)) v.push('a gateway request was not correctly signed');
  return v;
}

import type { LedgerView } from '../../simulator';
import type { PaymentStatus } from '../../workflows/types';

const CONCLUSIONS = ['PAID', 'FAILED', 'CANCELED', 'REVOKED', 'NEEDS_ATTENTION'];

/**
 * The promise to a merchant, checked for one payment: `concluded` is what the saga decided on its
 * own (before any operator resolution), `ledger` the gateway's books at the end. Returns violations.
 */
export function paymentViolations(concluded: PaymentStatus, ledger: LedgerView): string[] {
  const v: string[] = [];
  const order = ledger.orders.find((o) => o.terminal_sn === concluded.terminalSn && o.client_sn === concluded.clientSn);
  const kept = order?.kept_fen ?? 0;
  if (!CONCLUSIONS.includes(concluded.state)) v.push(`ended in ${concluded.state}`);
  if (concluded.state === 'NEEDS_ATTENTION') {
    if (!concluded.escalation?.reason) v.push('NEEDS_ATTENTION without a reason');
  } else if (concluded.state === 'PAID') {
    if (kept !== concluded.amountFen) v.push(`短款: saga PAID, gateway kept ${kept} of ${concluded.amountFen}`);
  } else if (kept !== 0) {
    v.push(`长款 (单边账): saga ${concluded.state}, gateway kept ${kept} (${order?.order_status})`);
  }
  const pays = ledger.counters.pay_calls_by_client_sn[concluded.clientSn] ?? 0;
  if (pays > 1) v.push(`client_sn paid ${pays} times`);
  if (order && (ledger.counters.reversals_by_sn[order.sn] ?? 0) > 1) v.push('order reversed twice');
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

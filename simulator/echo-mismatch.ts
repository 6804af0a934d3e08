import type { OrderDataWire } from '../activities/gateway/models';
import type { ServedEndpoint } from './endpoints';
import type { OrderBook } from './orders';
import type { Reply } from './replies';

/**
 * An answer whose order is not the one asked about (hostile): the order's `echoMismatch` replaces fields of
 * `biz_response.data` on the way out. The books keep the true order; only the answer lies. A client must
 * compare client_sn, terminal_sn and total_amount with its request before the answer counts.
 */
export function withEchoMismatch(book: OrderBook, endpoint: ServedEndpoint, reply: Reply): Reply {
  const biz = reply.envelope.biz_response;
  const data = biz?.data;
  if (!biz || !data) return reply;
  const mismatch = book.bySnAnywhere(data.sn)?.scenario.echoMismatch;
  if (!mismatch || (mismatch.endpoints && !mismatch.endpoints.includes(endpoint))) return reply;
  const changed: OrderDataWire = { ...data };
  if (mismatch.totalAmount !== undefined) {
    // A net_amount equal to the old total follows it, so the answer is consistent in itself.
    if (data.net_amount === data.total_amount) changed.net_amount = mismatch.totalAmount;
    changed.total_amount = mismatch.totalAmount;
  }
  if (mismatch.terminalSn !== undefined) changed.terminal_sn = mismatch.terminalSn;
  if (mismatch.clientSn !== undefined) changed.client_sn = mismatch.clientSn;
  return { ...reply, envelope: { ...reply.envelope, biz_response: { ...biz, data: changed } } };
}

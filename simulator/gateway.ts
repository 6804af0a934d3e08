import type { BizResponseWire, OrderLookupWire, PayRequestWire } from '../activities/gateway/models';
import { ORDER_NOT_EXISTS, query } from './actions';
import type { SimClock } from './clock';
import { withEchoMismatch } from './echo-mismatch';
import type { ServedEndpoint } from './endpoints';
import { ok } from './envelopes';
import type { Merchants } from './merchants';
import { oddReply } from './odd-answers';
import type { Order } from './order-model';
import { orderData, withRefund } from './order-model';
import type { OrderBook } from './orders';
import { pay } from './pay-flow';
import type { PendingEffects } from './pending-effects';
import { refundCall, takeRefundHold } from './refund-steps';
import type { RefundRequest } from './refunds';
import { refundNormally } from './refunds';
import type { Reply } from './replies';
import { lostReply, nextStep, withFault } from './replies';
import { reversalCall } from './reversal-steps';
import type { Scenario } from './scenarios';

export type { Reply } from './replies';

export interface GatewayDeps {
  book: OrderBook;
  scenarios: Map<string, Scenario>;
  clock: SimClock;
  /** Late requests and slow reversals not in the books yet. */
  pending: PendingEffects;
  merchants: Merchants;
  /** Abortable delay: rejects when the simulator closes, so no hold outlives close(). */
  sleep(ms: number): Promise<void>;
}

/** Applies scenarios around the pure state machine for one authenticated, validated request. */
export async function handleApi(
  deps: GatewayDeps,
  endpoint: ServedEndpoint,
  body: Record<string, string>,
): Promise<Reply> {
  const reply =
    endpoint === 'pay' ? await pay(deps, body as unknown as PayRequestWire) : await onOrder(deps, endpoint, body);
  return withEchoMismatch(deps.book, endpoint, reply);
}

async function onOrder(
  deps: GatewayDeps,
  endpoint: Exclude<ServedEndpoint, 'pay'>,
  body: Record<string, string>,
): Promise<Reply> {
  const lookup = body as unknown as OrderLookupWire & { refund_request_no?: string };
  const merchantSn = deps.merchants.of(lookup.terminal_sn);
  const merchantWide = deps.merchants.scope === 'merchant';
  // A query may name only its refund (OMNI sends terminal_sn + refund_request_no): the terminal's latest refund
  // under that number (our guess; the number is unique per order, not per terminal).
  const byRefundOnly = endpoint === 'query' && !lookup.sn && !lookup.client_sn ? lookup.refund_request_no : undefined;
  const find = (): Order | undefined =>
    byRefundOnly === undefined
      ? deps.book.find(lookup.terminal_sn, lookup.sn, lookup.client_sn, merchantSn, merchantWide)
      : deps.book.findByRefund(lookup.terminal_sn, byRefundOnly, merchantSn, merchantWide);
  const seen = find();
  const latency = (seen?.scenario ?? (lookup.client_sn ? deps.scenarios.get(lookup.client_sn) : undefined))?.latencyMs;
  await deps.sleep(latency ?? 0);
  const now = deps.clock.now();
  // The request reads the books as they are when it is processed: whatever was due has landed.
  deps.pending.landDue(now);
  const order = find();
  if (!order) return { envelope: ok(ORDER_NOT_EXISTS()) };
  switch (endpoint) {
    case 'query':
      return queryWithSteps(order, now, lookup.refund_request_no);
    case 'cancel':
    case 'revoke':
      return reversalCall(deps.pending, endpoint, order, now);
    case 'refund':
      return refund(deps, order, body as unknown as RefundRequest, now);
  }
}

/** A refund held before processing waits (connection open), then runs against the books as they are then. */
async function refund(deps: GatewayDeps, order: Order, req: RefundRequest, now: number): Promise<Reply> {
  const holdMs = takeRefundHold(order);
  if (holdMs === undefined) return refundCall(deps.pending, order, req, now);
  await deps.sleep(holdMs);
  const later = deps.clock.now();
  deps.pending.landDue(later);
  return { envelope: ok(refundNormally(deps.pending, order, req, later)) };
}

function queryWithSteps(order: Order, now: number, refundRequestNo: string | undefined): Reply {
  const step = nextStep(order.scenario.query, order.steps, 'query');
  const run = (): BizResponseWire => queryRefund(order, now, refundRequestNo);
  if (step === 'normal') return { envelope: ok(run()) };
  if ('odd' in step) return oddReply(step.odd, order, run);
  if (step.commit === false) return lostReply(step.fault);
  return withFault(ok(run()), step.fault);
}

/**
 * query; with refund_request_no, that refund's answer: its number, client_tsn and flow status (DOC-D "查询某次部分
 * 退款的结果"). A refund the gateway does not show (unknown, or pending while queries show the order unchanged)
 * gets the plain answer, whose refund_request_no (the last refund shown) then differs (§8.3: a person checks).
 */
function queryRefund(order: Order, now: number, refundRequestNo: string | undefined): BizResponseWire {
  const answer = query(order, now);
  const record = refundRequestNo === undefined ? undefined : order.refunds.get(refundRequestNo);
  if (!record || (record.state === 'pending' && !record.visibleWhilePending)) return answer;
  return { ...answer, data: withRefund(orderData(order), record) };
}

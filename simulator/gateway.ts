import type { OrderLookupWire, PayRequestWire, RefundRequestWire } from '../activities/gateway/models';
import { ORDER_NOT_EXISTS, query } from './actions';
import type { SimClock } from './clock';
import { withEchoMismatch } from './echo-mismatch';
import type { ServedEndpoint } from './endpoints';
import { ok } from './envelopes';
import type { Merchants } from './merchants';
import { oddReply } from './odd-answers';
import type { Order } from './order-model';
import type { OrderBook } from './orders';
import { pay } from './pay-flow';
import type { PendingEffects } from './pending-effects';
import { refund } from './refunds';
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
  const lookup = body as unknown as OrderLookupWire;
  const merchantSn = deps.merchants.of(lookup.terminal_sn);
  const merchantWide = deps.merchants.scope === 'merchant';
  const find = (): Order | undefined =>
    deps.book.find(lookup.terminal_sn, lookup.sn, lookup.client_sn, merchantSn, merchantWide);
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
      return queryWithSteps(order, now);
    case 'cancel':
    case 'revoke':
      return reversalCall(deps.pending, endpoint, order, now);
    case 'refund':
      return refundWithSteps(order, body as unknown as RefundRequestWire, now);
  }
}

function queryWithSteps(order: Order, now: number): Reply {
  const step = nextStep(order.scenario.query, order.steps, 'query');
  if (step === 'normal') return { envelope: ok(query(order, now)) };
  if ('odd' in step) return oddReply(step.odd, order, () => query(order, now));
  if (step.commit === false) return lostReply(step.fault);
  return withFault(ok(query(order, now)), step.fault);
}

function refundWithSteps(order: Order, req: RefundRequestWire, now: number): Reply {
  const step = nextStep(order.scenario.refund, order.steps, 'refund');
  if (step === 'normal') return { envelope: ok(refund(order, req, now)) };
  return oddReply(step.odd, order, () => refund(order, req, now));
}

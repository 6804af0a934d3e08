import type {
  BizResponseWire,
  EnvelopeWire,
  OrderLookupWire,
  PayRequestWire,
  RefundRequestWire,
} from '../activities/gateway/models';
import { cancel, clientSnConflict, completePay, ORDER_NOT_EXISTS, payAnswer, query, revoke } from './actions';
import { scenarioFromBarcode } from './barcodes';
import type { SimClock } from './clock';
import { ok, serverError } from './envelopes';
import type { Order } from './order-model';
import type { ServedEndpoint } from './endpoints';
import type { OrderBook } from './orders';
import { refund } from './refunds';
import type { ActionStep, Fault, QueryStep, Scenario } from './scenarios';

/** What to send back: an envelope, possibly lost or garbled by a fault. */
export interface Reply {
  envelope: EnvelopeWire;
  fault?: Fault;
}

export interface GatewayDeps {
  book: OrderBook;
  scenarios: Map<string, Scenario>;
  clock: SimClock;
  /** Abortable delay: rejects when the simulator closes, so no hold outlives close(). */
  sleep(ms: number): Promise<void>;
}

/** Applies scenarios around the pure state machine for one authenticated, validated request. */
export async function handleApi(
  deps: GatewayDeps,
  endpoint: ServedEndpoint,
  body: Record<string, string>,
): Promise<Reply> {
  if (endpoint === 'pay') return pay(deps, body as unknown as PayRequestWire);
  const lookup = body as unknown as OrderLookupWire;
  const order = deps.book.find(lookup.terminal_sn, lookup.sn, lookup.client_sn);
  const latency = (order?.scenario ?? (lookup.client_sn ? deps.scenarios.get(lookup.client_sn) : undefined))?.latencyMs;
  await deps.sleep(latency ?? 0);
  if (!order) return { envelope: ok(ORDER_NOT_EXISTS()) };
  const now = deps.clock.now();
  switch (endpoint) {
    case 'query':
      return queryWithSteps(order, now);
    case 'cancel':
      return actionWithSteps(nextStep(order.scenario.cancel, order.steps, 'cancel'), () => cancel(order, now));
    case 'revoke':
      return actionWithSteps(nextStep(order.scenario.revoke, order.steps, 'revoke'), () => revoke(order, now));
    case 'refund':
      return { envelope: ok(refund(order, body as unknown as RefundRequestWire, now)) };
  }
}

async function pay(deps: GatewayDeps, req: PayRequestWire): Promise<Reply> {
  const scenario = deps.scenarios.get(req.client_sn) ?? scenarioFromBarcode(req.dynamic_id) ?? {};
  await deps.sleep(scenario.latencyMs ?? 0);
  deps.book.countPayCall(req.client_sn);
  if (deps.book.byClient(req.terminal_sn, req.client_sn)) return { envelope: ok(clientSnConflict(req.client_sn)) };
  const spec = scenario.pay ?? {};
  if (spec.fault && spec.commit === false) return { envelope: serverError('UNKNOWN_SYSTEM_ERROR'), fault: spec.fault };
  const order = deps.book.create(req, scenario, deps.clock.now());
  if (spec.holdMs) {
    order.holding = true;
    try {
      await deps.sleep(spec.holdMs);
    } finally {
      // Even when the simulator closes mid-hold, leave the order in a consistent state.
      completePay(order, deps.clock.now());
    }
  } else {
    completePay(order, deps.clock.now());
  }
  return withFault(ok(payAnswer(order)), spec.fault);
}

function queryWithSteps(order: Order, now: number): Reply {
  const step: QueryStep = nextStep(order.scenario.query, order.steps, 'query');
  if (step === 'normal') return { envelope: ok(query(order, now)) };
  if (step.commit === false) return { envelope: serverError('UNKNOWN_SYSTEM_ERROR'), fault: step.fault };
  return withFault(ok(query(order, now)), step.fault);
}

function actionWithSteps(step: ActionStep, run: () => BizResponseWire): Reply {
  if (step === 'normal' || step === 'CANCEL_SUCCESS' || step === 'CANCEL_ABORT_SUCCESS') return { envelope: ok(run()) };
  if (typeof step === 'string') return { envelope: ok({ result_code: step }) };
  if ('answer' in step) {
    const biz: BizResponseWire = { result_code: step.answer };
    if (step.errorCode !== undefined) biz.error_code = step.errorCode;
    if (step.errorMessage !== undefined) biz.error_message = step.errorMessage;
    return { envelope: ok(biz) };
  }
  if (step.commit === false) return { envelope: serverError('UNKNOWN_SYSTEM_ERROR'), fault: step.fault };
  return withFault(ok(run()), step.fault);
}

/** Consumes the next step of a per-order sequence; 'normal' once the sequence is used up. */
function nextStep<T>(list: readonly T[] | undefined, steps: Order['steps'], kind: keyof Order['steps']): T | 'normal' {
  const index = steps[kind];
  if (!list || index >= list.length) return 'normal';
  steps[kind] = index + 1;
  return list[index] ?? 'normal';
}

function withFault(envelope: EnvelopeWire, fault: Fault | undefined): Reply {
  return fault ? { envelope, fault } : { envelope };
}

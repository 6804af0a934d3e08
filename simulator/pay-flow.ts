import type { PayRequestWire } from '../activities/gateway/models';
import { clientSnConflict, completePay, payAnswer } from './actions';
import { scenarioFromBarcode } from './barcodes';
import { clientSnTaken } from './client-sn-scope';
import { ok } from './envelopes';
import type { GatewayDeps } from './gateway';
import { oddEnvelope } from './odd-answers';
import type { Reply } from './replies';
import { lostReply, withFault } from './replies';
import type { Scenario } from './scenarios';

/** POST /upay/v2/pay: the scenario (control API first, then the barcode), then the order's birth. */
export async function pay(deps: GatewayDeps, req: PayRequestWire): Promise<Reply> {
  const scenario = deps.scenarios.get(req.client_sn) ?? scenarioFromBarcode(req.dynamic_id) ?? {};
  await deps.sleep(scenario.latencyMs ?? 0);
  const now = deps.clock.now();
  deps.pending.landDue(now);
  const spec = scenario.pay ?? {};
  if (spec.lateMs !== undefined) return arriveLate(deps, req, scenario, now, spec.lateMs);
  deps.book.countPayCall(req.client_sn);
  const taken = clientSnTaken(deps.book, deps.merchants, req, scenario, now);
  if (spec.odd && (!spec.odd.commit || taken)) return { envelope: oddEnvelope(spec.odd) };
  if (taken) return { envelope: ok(clientSnConflict(req.client_sn)) };
  if (spec.fault && spec.commit === false) return lostReply(spec.fault);
  const order = deps.book.create(req, scenario, now, deps.merchants.of(req.terminal_sn));
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
  return withFault(spec.odd ? oddEnvelope(spec.odd, order) : ok(payAnswer(order)), spec.fault);
}

/**
 * The pay waits in a queue and reaches the books `lateMs` after it arrived, when the client has long given up:
 * the answer is lost now, and the pay runs then (conflict check, order, result) as if it had just arrived.
 */
function arriveLate(deps: GatewayDeps, req: PayRequestWire, scenario: Scenario, now: number, lateMs: number): Reply {
  deps.pending.add({
    kind: 'late-pay',
    dueAt: now + lateMs,
    terminalSn: req.terminal_sn,
    clientSn: req.client_sn,
    land: (at) => {
      deps.book.countPayCall(req.client_sn);
      if (clientSnTaken(deps.book, deps.merchants, req, scenario, at)) return;
      completePay(deps.book.create(req, scenario, at, deps.merchants.of(req.terminal_sn)), at);
    },
  });
  return lostReply(scenario.pay?.fault ?? 'hang');
}

import type { PayRequestWire } from '../activities/gateway/models';
import { completePay } from './actions';
import type { Merchants } from './merchants';
import type { OrderBook } from './orders';
import type { Scenario } from './scenarios';
import type { ExistingOrder } from './unfriendly-scenarios';
import { SIBLING_TERMINAL_SN } from './unfriendly-scenarios';

/**
 * Does this pay meet an order already holding its client_sn? On its own terminal always; across the terminal's
 * merchant when the scenario (or the simulator) puts the client_sn in merchant scope, which also makes later
 * lookups by that client_sn see the merchant's orders. A scenario's `existingOrder` is placed first.
 */
export function clientSnTaken(
  book: OrderBook,
  merchants: Merchants,
  req: PayRequestWire,
  scenario: Scenario,
  now: number,
): boolean {
  const merchantSn = merchants.of(req.terminal_sn);
  const scope = scenario.clientSnScope ?? (scenario.existingOrder ? 'merchant' : merchants.scope);
  const within = scope === 'merchant' ? merchantSn : undefined;
  if (within !== undefined) book.shareClientSn(merchantSn, req.client_sn);
  if (scenario.existingOrder && !book.taken(req.terminal_sn, req.client_sn, within)) {
    placeExistingOrder(book, req, scenario.existingOrder, merchantSn, now);
  }
  return book.taken(req.terminal_sn, req.client_sn, within) !== undefined;
}

/** Someone else's order under this client_sn: a sibling terminal's (or this terminal's), as the scenario says. */
function placeExistingOrder(
  book: OrderBook,
  req: PayRequestWire,
  existing: ExistingOrder,
  merchantSn: string,
  now: number,
): void {
  const terminalSn = existing.sameTerminal ? req.terminal_sn : SIBLING_TERMINAL_SN;
  const theirs = { ...req, terminal_sn: terminalSn, total_amount: existing.totalAmount ?? req.total_amount };
  const status = existing.status ?? 'PAID';
  const scenario: Scenario =
    status === 'PAID'
      ? {}
      : status === 'PAY_CANCELED'
        ? { pay: { result: 'PAY_FAIL' } }
        : {
            pay: existing.settle
              ? { result: 'PAY_IN_PROGRESS', settle: existing.settle }
              : { result: 'PAY_IN_PROGRESS' },
          };
  completePay(book.create(theirs, scenario, now, merchantSn), now);
}

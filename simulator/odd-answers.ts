import type { BizResponseWire, EnvelopeWire } from '../activities/gateway/models';
import { ok } from './envelopes';
import { messageFor } from './messages';
import type { Order } from './order-model';
import { orderData } from './order-model';
import type { Reply } from './replies';
import type { OddAnswer } from './unfriendly-scenarios';

/**
 * Answers with codes no document lists (hostile): a client must read them as "unknown", never as a refusal
 * or a success. `commit` runs the real operation first, so the books move while the answer says something odd.
 */
export function oddReply(odd: OddAnswer, order: Order | undefined, run: () => unknown): Reply {
  if (odd.commit) run();
  return { envelope: oddEnvelope(odd, odd.commit ? order : undefined) };
}

/** The odd envelope; `order` (after a committed operation) adds its data. */
export function oddEnvelope(odd: OddAnswer, order?: Order): EnvelopeWire {
  const errorMessage = odd.errorMessage ?? (odd.errorCode === undefined ? undefined : messageFor(odd.errorCode));
  if (odd.topLevel) {
    const envelope: EnvelopeWire = { result_code: odd.resultCode };
    if (odd.errorCode !== undefined) envelope.error_code = odd.errorCode;
    if (errorMessage !== undefined) envelope.error_message = errorMessage;
    return envelope;
  }
  const biz: BizResponseWire = { result_code: odd.resultCode };
  if (odd.errorCode !== undefined) biz.error_code = odd.errorCode;
  if (errorMessage !== undefined) biz.error_message = errorMessage;
  if (order) biz.data = orderData(order);
  return ok(biz);
}

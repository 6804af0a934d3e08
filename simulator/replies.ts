import type { EnvelopeWire } from '../activities/gateway/models';
import { serverError } from './envelopes';
import type { Order } from './order-model';
import type { Fault } from './scenarios';

/** What to send back: an envelope, possibly lost or garbled by a fault. */
export interface Reply {
  envelope: EnvelopeWire;
  fault?: Fault;
}

export function withFault(envelope: EnvelopeWire, fault: Fault | undefined): Reply {
  return fault ? { envelope, fault } : { envelope };
}

/** The answer is lost before the gateway acted (or while the request still waits): a 500 under the fault. */
export function lostReply(fault: Fault): Reply {
  return { envelope: serverError('UNKNOWN_SYSTEM_ERROR'), fault };
}

/** Consumes the next step of a per-order sequence; 'normal' once the sequence is used up. */
export function nextStep<T>(
  list: readonly T[] | undefined,
  steps: Order['steps'],
  kind: keyof Order['steps'],
): T | 'normal' {
  const index = steps[kind];
  if (!list || index >= list.length) return 'normal';
  steps[kind] = index + 1;
  return list[index] ?? 'normal';
}

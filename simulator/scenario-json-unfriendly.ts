import { SERVED } from './endpoints';
import type { Obj } from './json-checks';
import { bool, keys, list, ms, object, oneOf, ScenarioError, str } from './json-checks';
import type { Settle } from './scenarios';
import { FAULTS } from './scenarios';
import type {
  EchoMismatch,
  ExistingOrder,
  LateArrival,
  OddAnswer,
  OthersMeanwhile,
  SlowRefund,
  SlowReversal,
} from './unfriendly-scenarios';

/** JSON checks for the unfriendly knobs (unfriendly-scenarios.ts); scenario-json.ts calls these. */

const OTHERS: readonly OthersMeanwhile[] = ['in-progress', 'invalid-state', 'not-refundable', 'normal'];
const REPLIES: readonly NonNullable<SlowReversal['reply']>[] = ['in-progress', 'success', ...FAULTS];

/** Any codes are allowed here on purpose: that is the knob. Only the shape is checked. */
export function oddAnswer(v: unknown, path: string): OddAnswer {
  const o = object(v, path);
  keys(o, path, ['resultCode', 'errorCode', 'errorMessage', 'topLevel', 'commit']);
  const odd: OddAnswer = { resultCode: str(o.resultCode, `${path}.resultCode`) };
  if (o.errorCode !== undefined) odd.errorCode = str(o.errorCode, `${path}.errorCode`);
  if (o.errorMessage !== undefined) odd.errorMessage = str(o.errorMessage, `${path}.errorMessage`);
  if (o.topLevel !== undefined) odd.topLevel = bool(o.topLevel, `${path}.topLevel`);
  if (o.commit !== undefined) odd.commit = bool(o.commit, `${path}.commit`);
  return odd;
}

export function lateArrival(o: Obj, path: string): LateArrival {
  keys(o, path, ['lateMs', 'fault']);
  const late: LateArrival = { lateMs: ms(o.lateMs, `${path}.lateMs`) };
  if (o.fault !== undefined) late.fault = oneOf(o.fault, `${path}.fault`, FAULTS);
  return late;
}

export function slowReversal(o: Obj, path: string): SlowReversal {
  keys(o, path, ['paidFirst', 'effectAfterMs', 'meanwhile', 'reply', 'othersMeanwhile']);
  const r: SlowReversal = {};
  if (o.paidFirst !== undefined) r.paidFirst = bool(o.paidFirst, `${path}.paidFirst`);
  if (o.effectAfterMs !== undefined) r.effectAfterMs = ms(o.effectAfterMs, `${path}.effectAfterMs`);
  if (o.meanwhile !== undefined) {
    r.meanwhile = oneOf(o.meanwhile, `${path}.meanwhile`, ['unchanged', 'CANCEL_INPROGRESS'] as const);
  }
  if (o.reply !== undefined) r.reply = oneOf(o.reply, `${path}.reply`, REPLIES);
  if (o.othersMeanwhile !== undefined) r.othersMeanwhile = oneOf(o.othersMeanwhile, `${path}.othersMeanwhile`, OTHERS);
  return r;
}

const REFUND_REPLIES: readonly NonNullable<SlowRefund['reply']>[] = ['in-progress', 'success', 'error', ...FAULTS];

export function slowRefund(o: Obj, path: string): SlowRefund {
  keys(o, path, ['effectAfterMs', 'meanwhile', 'reply', 'outcome']);
  const r: SlowRefund = {};
  if (o.effectAfterMs !== undefined) r.effectAfterMs = ms(o.effectAfterMs, `${path}.effectAfterMs`);
  if (o.meanwhile !== undefined) {
    r.meanwhile = oneOf(o.meanwhile, `${path}.meanwhile`, ['unchanged', 'REFUND_INPROGRESS', 'REFUND_ERROR'] as const);
  }
  if (o.reply !== undefined) r.reply = oneOf(o.reply, `${path}.reply`, REFUND_REPLIES);
  if (o.outcome !== undefined) r.outcome = oneOf(o.outcome, `${path}.outcome`, ['refunded', 'failed'] as const);
  return r;
}

export function existingOrder(v: unknown, path: string, settle: (o: Obj, path: string) => Settle): ExistingOrder {
  const o = object(v, path);
  keys(o, path, ['sameTerminal', 'totalAmount', 'status', 'settle']);
  const e: ExistingOrder = {};
  if (o.sameTerminal !== undefined) e.sameTerminal = bool(o.sameTerminal, `${path}.sameTerminal`);
  if (o.totalAmount !== undefined) e.totalAmount = amount(o.totalAmount, `${path}.totalAmount`);
  if (o.status !== undefined)
    e.status = oneOf(o.status, `${path}.status`, ['PAID', 'CREATED', 'PAY_CANCELED'] as const);
  if (o.settle !== undefined) e.settle = settle(object(o.settle, `${path}.settle`), `${path}.settle`);
  return e;
}

export function echoMismatch(v: unknown, path: string): EchoMismatch {
  const o = object(v, path);
  keys(o, path, ['endpoints', 'totalAmount', 'terminalSn', 'clientSn']);
  const m: EchoMismatch = {};
  if (o.endpoints !== undefined) {
    m.endpoints = list(o.endpoints, `${path}.endpoints`).map((e, i) => oneOf(e, `${path}.endpoints[${i}]`, SERVED));
  }
  if (o.totalAmount !== undefined) m.totalAmount = amount(o.totalAmount, `${path}.totalAmount`);
  if (o.terminalSn !== undefined) m.terminalSn = str(o.terminalSn, `${path}.terminalSn`);
  if (o.clientSn !== undefined) m.clientSn = str(o.clientSn, `${path}.clientSn`);
  return m;
}

/** Fen as the wire has it: digits, 1–10 of them, above zero. */
function amount(v: unknown, path: string): string {
  const s = str(v, path);
  if (!/^\d{1,10}$/.test(s) || Number(s) <= 0) throw new ScenarioError(`${path} must be fen digits above 0`);
  return s;
}

import type { Obj } from './json-checks';
import { bool, keys, list, ms, object, oneOf, str } from './json-checks';
import {
  echoMismatch,
  existingOrder,
  lateArrival,
  oddAnswer,
  slowRefund,
  slowReversal,
} from './scenario-json-unfriendly';
import type { ActionStep, PayScenario, QueryStep, RefundStep, Scenario, Settle } from './scenarios';
import { FAULTS } from './scenarios';

export { ScenarioError } from './json-checks';

const PAY_RESULTS = ['PAY_SUCCESS', 'PAY_FAIL', 'PAY_IN_PROGRESS', 'PAY_FAIL_ERROR', 'PAY_FAIL_IN_PROGRESS'];
const FORCED = ['CANCEL_IN_PROGRESS', 'CANCEL_ERROR', 'CANCEL_ABORT_ERROR', 'CANCEL_ABORT_IN_PROGRESS'];
const RUN = ['normal', 'CANCEL_SUCCESS', 'CANCEL_ABORT_SUCCESS'];
const FORCED_REFUND = ['REFUND_IN_PROGRESS', 'REFUND_ERROR', 'REFUND_FAIL'];
const SCENARIO_KEYS = [
  ...['pay', 'query', 'cancel', 'revoke', 'refund', 'abortTo', 'latencyMs', 'dayEndsAfterPay'],
  ...['clientSnScope', 'existingOrder', 'echoMismatch', 'refundRepeat'],
];

/** Checks an untrusted JSON value against the Scenario shape (unknown keys are rejected to catch typos). */
export function parseScenario(value: unknown): Scenario {
  const o = object(value, 'scenario');
  keys(o, 'scenario', SCENARIO_KEYS);
  const s: Scenario = {};
  if (o.pay !== undefined) s.pay = pay(object(o.pay, 'pay'));
  if (o.query !== undefined) s.query = list(o.query, 'query').map((v, i) => queryStep(v, `query[${i}]`));
  if (o.cancel !== undefined) s.cancel = list(o.cancel, 'cancel').map((v, i) => actionStep(v, `cancel[${i}]`));
  if (o.revoke !== undefined) s.revoke = list(o.revoke, 'revoke').map((v, i) => actionStep(v, `revoke[${i}]`));
  if (o.refund !== undefined) s.refund = list(o.refund, 'refund').map((v, i) => refundStep(v, `refund[${i}]`));
  if (o.abortTo !== undefined) s.abortTo = oneOf(o.abortTo, 'abortTo', ['PAY_CANCELED', 'CANCELED'] as const);
  if (o.latencyMs !== undefined) s.latencyMs = ms(o.latencyMs, 'latencyMs');
  if (o.dayEndsAfterPay !== undefined) s.dayEndsAfterPay = bool(o.dayEndsAfterPay, 'dayEndsAfterPay');
  if (o.clientSnScope !== undefined) {
    s.clientSnScope = oneOf(o.clientSnScope, 'clientSnScope', ['terminal', 'merchant'] as const);
  }
  if (o.existingOrder !== undefined) s.existingOrder = existingOrder(o.existingOrder, 'existingOrder', settle);
  if (o.echoMismatch !== undefined) s.echoMismatch = echoMismatch(o.echoMismatch, 'echoMismatch');
  if (o.refundRepeat !== undefined) s.refundRepeat = oneOf(o.refundRepeat, 'refundRepeat', ['echo', 'noop'] as const);
  return s;
}

function pay(o: Obj): PayScenario {
  keys(o, 'pay', ['result', 'errorCode', 'settle', 'holdMs', 'fault', 'commit', 'lateMs', 'odd']);
  const p: PayScenario = {};
  if (o.result !== undefined) p.result = oneOf(o.result, 'pay.result', PAY_RESULTS) as PayScenario['result'];
  if (o.errorCode !== undefined) p.errorCode = str(o.errorCode, 'pay.errorCode');
  if (o.settle !== undefined) p.settle = settle(object(o.settle, 'pay.settle'), 'pay.settle');
  if (o.holdMs !== undefined) p.holdMs = ms(o.holdMs, 'pay.holdMs');
  if (o.fault !== undefined) p.fault = oneOf(o.fault, 'pay.fault', FAULTS);
  if (o.commit !== undefined) p.commit = bool(o.commit, 'pay.commit');
  if (o.lateMs !== undefined) p.lateMs = ms(o.lateMs, 'pay.lateMs');
  if (o.odd !== undefined) p.odd = oddAnswer(o.odd, 'pay.odd');
  return p;
}

function settle(o: Obj, path: string): Settle {
  keys(o, path, ['to', 'afterQueries', 'afterMs', 'errorCode']);
  const s: Settle = { to: oneOf(o.to, `${path}.to`, ['PAID', 'PAY_CANCELED', 'PAY_ERROR'] as const) };
  if (o.afterQueries !== undefined) s.afterQueries = ms(o.afterQueries, `${path}.afterQueries`);
  if (o.afterMs !== undefined) s.afterMs = ms(o.afterMs, `${path}.afterMs`);
  if (o.errorCode !== undefined) s.errorCode = str(o.errorCode, `${path}.errorCode`);
  return s;
}

function queryStep(v: unknown, path: string): QueryStep {
  if (v === 'normal') return v;
  const o = object(v, path);
  return 'odd' in o ? odd(o, path) : faultStep(o, path);
}

function refundStep(v: unknown, path: string): RefundStep {
  if (typeof v === 'string') return oneOf(v, path, ['normal', ...FORCED_REFUND]) as RefundStep;
  const o = object(v, path);
  if ('odd' in o) return odd(o, path);
  if ('lateMs' in o) return lateArrival(o, path);
  if ('fault' in o) return faultStep(o, path);
  if ('answer' in o) return forcedAnswer(o, path, FORCED_REFUND) as RefundStep;
  if ('holdMs' in o) {
    keys(o, path, ['holdMs']);
    return { holdMs: ms(o.holdMs, `${path}.holdMs`) };
  }
  return slowRefund(o, path);
}

function actionStep(v: unknown, path: string): ActionStep {
  if (typeof v === 'string') return oneOf(v, path, [...RUN, ...FORCED]) as ActionStep;
  const o = object(v, path);
  if ('odd' in o) return odd(o, path);
  if ('lateMs' in o) return lateArrival(o, path);
  if ('fault' in o) return faultStep(o, path);
  if (!('answer' in o)) return slowReversal(o, path);
  return forcedAnswer(o, path, FORCED) as ActionStep;
}

function forcedAnswer(o: Obj, path: string, answers: readonly string[]) {
  keys(o, path, ['answer', 'errorCode', 'errorMessage']);
  const step: { answer: string; errorCode?: string; errorMessage?: string } = {
    answer: oneOf(o.answer, `${path}.answer`, answers),
  };
  if (o.errorCode !== undefined) step.errorCode = str(o.errorCode, `${path}.errorCode`);
  if (o.errorMessage !== undefined) step.errorMessage = str(o.errorMessage, `${path}.errorMessage`);
  return step;
}

function odd(o: Obj, path: string): { odd: ReturnType<typeof oddAnswer> } {
  keys(o, path, ['odd']);
  return { odd: oddAnswer(o.odd, `${path}.odd`) };
}

function faultStep(o: Obj, path: string): { fault: (typeof FAULTS)[number]; commit?: boolean } {
  keys(o, path, ['fault', 'commit']);
  const step: { fault: (typeof FAULTS)[number]; commit?: boolean } = { fault: oneOf(o.fault, `${path}.fault`, FAULTS) };
  if (o.commit !== undefined) step.commit = bool(o.commit, `${path}.commit`);
  return step;
}

import type { ActionStep, Fault, PayScenario, QueryStep, Scenario, Settle } from './scenarios';

/** Thrown for a malformed scenario posted to /_sim/scenarios; the message names the path. */
export class ScenarioError extends Error {
  override name = 'ScenarioError';
}

const FAULTS: readonly Fault[] = ['reset', 'hang', 'system-error', 'maintenance', 'truncated-json', 'html-502'];
const PAY_RESULTS = ['PAY_SUCCESS', 'PAY_FAIL', 'PAY_IN_PROGRESS', 'PAY_FAIL_ERROR', 'PAY_FAIL_IN_PROGRESS'];
const FORCED = ['CANCEL_IN_PROGRESS', 'CANCEL_ERROR', 'CANCEL_ABORT_ERROR', 'CANCEL_ABORT_IN_PROGRESS'];
const RUN = ['normal', 'CANCEL_SUCCESS', 'CANCEL_ABORT_SUCCESS'];

type Obj = Record<string, unknown>;

/** Checks an untrusted JSON value against the Scenario shape (unknown keys are rejected to catch typos). */
export function parseScenario(value: unknown): Scenario {
  const o = object(value, 'scenario');
  keys(o, 'scenario', ['pay', 'query', 'cancel', 'revoke', 'abortTo', 'latencyMs', 'dayEndsAfterPay']);
  const s: Scenario = {};
  if (o.pay !== undefined) s.pay = pay(object(o.pay, 'pay'));
  if (o.query !== undefined) s.query = list(o.query, 'query').map((v, i) => queryStep(v, `query[${i}]`));
  if (o.cancel !== undefined) s.cancel = list(o.cancel, 'cancel').map((v, i) => actionStep(v, `cancel[${i}]`));
  if (o.revoke !== undefined) s.revoke = list(o.revoke, 'revoke').map((v, i) => actionStep(v, `revoke[${i}]`));
  if (o.abortTo !== undefined) s.abortTo = oneOf(o.abortTo, 'abortTo', ['PAY_CANCELED', 'CANCELED'] as const);
  if (o.latencyMs !== undefined) s.latencyMs = ms(o.latencyMs, 'latencyMs');
  if (o.dayEndsAfterPay !== undefined) s.dayEndsAfterPay = bool(o.dayEndsAfterPay, 'dayEndsAfterPay');
  return s;
}

function pay(o: Obj): PayScenario {
  keys(o, 'pay', ['result', 'errorCode', 'settle', 'holdMs', 'fault', 'commit']);
  const p: PayScenario = {};
  if (o.result !== undefined) p.result = oneOf(o.result, 'pay.result', PAY_RESULTS) as PayScenario['result'];
  if (o.errorCode !== undefined) p.errorCode = str(o.errorCode, 'pay.errorCode');
  if (o.settle !== undefined) p.settle = settle(object(o.settle, 'pay.settle'));
  if (o.holdMs !== undefined) p.holdMs = ms(o.holdMs, 'pay.holdMs');
  if (o.fault !== undefined) p.fault = oneOf(o.fault, 'pay.fault', FAULTS);
  if (o.commit !== undefined) p.commit = bool(o.commit, 'pay.commit');
  return p;
}

function settle(o: Obj): Settle {
  keys(o, 'pay.settle', ['to', 'afterQueries', 'afterMs', 'errorCode']);
  const s: Settle = { to: oneOf(o.to, 'pay.settle.to', ['PAID', 'PAY_CANCELED', 'PAY_ERROR'] as const) };
  if (o.afterQueries !== undefined) s.afterQueries = ms(o.afterQueries, 'pay.settle.afterQueries');
  if (o.afterMs !== undefined) s.afterMs = ms(o.afterMs, 'pay.settle.afterMs');
  if (o.errorCode !== undefined) s.errorCode = str(o.errorCode, 'pay.settle.errorCode');
  return s;
}

function queryStep(v: unknown, path: string): QueryStep {
  if (v === 'normal') return v;
  return faultStep(object(v, path), path);
}

function actionStep(v: unknown, path: string): ActionStep {
  if (typeof v === 'string') return oneOf(v, path, [...RUN, ...FORCED]) as ActionStep;
  const o = object(v, path);
  if ('fault' in o) return faultStep(o, path);
  keys(o, path, ['answer', 'errorCode', 'errorMessage']);
  const step: { answer: string; errorCode?: string; errorMessage?: string } = {
    answer: oneOf(o.answer, `${path}.answer`, FORCED),
  };
  if (o.errorCode !== undefined) step.errorCode = str(o.errorCode, `${path}.errorCode`);
  if (o.errorMessage !== undefined) step.errorMessage = str(o.errorMessage, `${path}.errorMessage`);
  return step as ActionStep;
}

function faultStep(o: Obj, path: string): { fault: Fault; commit?: boolean } {
  keys(o, path, ['fault', 'commit']);
  const step: { fault: Fault; commit?: boolean } = { fault: oneOf(o.fault, `${path}.fault`, FAULTS) };
  if (o.commit !== undefined) step.commit = bool(o.commit, `${path}.commit`);
  return step;
}

function object(v: unknown, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ScenarioError(`${path} must be an object`);
  return v as Obj;
}

function list(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) throw new ScenarioError(`${path} must be an array`);
  return v;
}

function keys(o: Obj, path: string, allowed: readonly string[]): void {
  const extra = Object.keys(o).find((k) => !allowed.includes(k));
  if (extra !== undefined) throw new ScenarioError(`${path}.${extra} is not a known field`);
}

function oneOf<T extends string>(v: unknown, path: string, allowed: readonly T[]): T {
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    throw new ScenarioError(`${path} must be one of ${allowed.join(', ')}`);
  }
  return v as T;
}

function str(v: unknown, path: string): string {
  if (typeof v !== 'string' || v === '') throw new ScenarioError(`${path} must be a non-empty string`);
  return v;
}

function bool(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') throw new ScenarioError(`${path} must be a boolean`);
  return v;
}

function ms(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new ScenarioError(`${path} must be a non-negative integer`);
  }
  return v;
}

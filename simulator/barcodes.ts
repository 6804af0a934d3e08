import { unfriendlyBarcode } from './barcodes-unfriendly';
import type { Fault, PayResult, Scenario, Settle } from './scenarios';
import { UPAY_TCP_ORDER_NOT_REFUNDABLE } from './scenarios';

/**
 * Scenario chosen by a readable `dynamic_id` (barcode), for CLI users who cannot call the control API.
 * Any barcode not starting with `sim-` pays at once. The table lives in simulator/README.md.
 */
export function scenarioFromBarcode(dynamicId: string): Scenario | undefined {
  if (!dynamicId.startsWith('sim-')) return undefined;
  const code = dynamicId.slice(4);
  return (
    FIXED[code] ?? inProgress(code) ?? timed(code) ?? lostAnswer(code) ?? unfriendlyBarcode(code) ?? failWith(code)
  );
}

const FIXED: Record<string, Scenario> = {
  success: {},
  fail: { pay: { result: 'PAY_FAIL' } },
  'fail-error': { pay: { result: 'PAY_FAIL_ERROR' } },
  'fail-in-progress': { pay: { result: 'PAY_FAIL_IN_PROGRESS' } },
  'truncated-json': { pay: { fault: 'truncated-json' } },
  'html-502': { pay: { fault: 'html-502' } },
  'cancel-not-refundable': { cancel: [UPAY_TCP_ORDER_NOT_REFUNDABLE], revoke: [UPAY_TCP_ORDER_NOT_REFUNDABLE] },
  'in-progress-not-refundable': { pay: { result: 'PAY_IN_PROGRESS' }, cancel: [UPAY_TCP_ORDER_NOT_REFUNDABLE] },
  'cancel-flaky': { pay: { result: 'PAY_IN_PROGRESS' }, cancel: ['CANCEL_IN_PROGRESS', 'CANCEL_ERROR'] },
  'cancel-reset': { pay: { result: 'PAY_IN_PROGRESS' }, cancel: [{ fault: 'reset' }] },
  'cancel-hang': { pay: { result: 'PAY_IN_PROGRESS' }, cancel: [{ fault: 'hang' }] },
  'revoke-flaky': { revoke: ['CANCEL_IN_PROGRESS', 'CANCEL_ERROR'] },
  'revoke-reset': { revoke: [{ fault: 'reset' }] },
  'abort-to-canceled': { pay: { result: 'PAY_IN_PROGRESS' }, abortTo: 'CANCELED' },
};

const SETTLE_TO: Record<string, Settle['to']> = { paid: 'PAID', canceled: 'PAY_CANCELED', error: 'PAY_ERROR' };

/** `in-progress`, `in-progress-paid-2` (2nd query sees PAID), `in-progress-canceled-40s` (TRADE_TIMEOUT). */
function inProgress(code: string): Scenario | undefined {
  if (code === 'in-progress') return { pay: { result: 'PAY_IN_PROGRESS' } };
  const m = /^in-progress-(paid|canceled|error)-(\d+)(ms|s)?$/.exec(code);
  if (!m) return undefined;
  const to = SETTLE_TO[m[1] ?? ''] ?? 'PAID';
  const n = Number(m[2]);
  const settle: Settle = m[3] ? { to, afterMs: m[3] === 's' ? n * 1000 : n } : { to, afterQueries: n };
  return { pay: { result: 'PAY_IN_PROGRESS', settle } };
}

/** `hold-3s` (held, then PAY_SUCCESS) and `slow-500ms` (every request on the order delayed). */
function timed(code: string): Scenario | undefined {
  const m = /^(hold|slow)-(\d+)(ms|s)$/.exec(code);
  if (!m) return undefined;
  const ms = Number(m[2]) * (m[3] === 's' ? 1000 : 1);
  return m[1] === 'hold' ? { pay: { holdMs: ms } } : { latencyMs: ms };
}

const FAULTS: Record<string, Fault> = {
  reset: 'reset',
  hang: 'hang',
  '500': 'system-error',
  maintenance: 'maintenance',
};

/** `reset`/`hang` (default order PAID), `500`/`maintenance` (default order CREATED), suffix -paid|-created|-none. */
function lostAnswer(code: string): Scenario | undefined {
  const m = /^(reset|hang|500|maintenance)(?:-(paid|created|none))?$/.exec(code);
  if (!m) return undefined;
  const fault = FAULTS[m[1] ?? ''];
  const isTransport = m[1] === 'reset' || m[1] === 'hang';
  const state = m[2] ?? (isTransport ? 'paid' : 'created');
  const result: PayResult = state === 'paid' ? 'PAY_SUCCESS' : 'PAY_IN_PROGRESS';
  return { pay: { result, fault, commit: state !== 'none' } };
}

/** `fail-insufficient-fund` → PAY_FAIL with error_code INSUFFICIENT_FUND. */
function failWith(code: string): Scenario | undefined {
  const m = /^fail-([a-z0-9-]+)$/.exec(code);
  if (!m) return undefined;
  return { pay: { result: 'PAY_FAIL', errorCode: (m[1] ?? '').replace(/-/g, '_').toUpperCase() } };
}

import { metricMeter } from '@temporalio/activity';
import { CALL_ABORT_CODES } from './gateway/call-limits';
import { BIZ_ERROR_CODES, TOP_LEVEL_ERROR_CODES } from './gateway/codes';
import type { GatewayOperation, OutcomeKind } from '../workflows/types';

/**
 * Gateway metrics, recorded by the activities on the activity metric meter (the SDK runtime's, so
 * they are served on the worker's one Prometheus `/metrics`; the SDK adds `namespace`, `taskQueue`
 * and `activityType`). Labels are bounded sets: never a client_sn, sn or terminal.
 */

/** Counter: every gateway call, labels `endpoint`, `kind`, `error_code`. */
export const GATEWAY_CALLS_METRIC = 'upay_gateway_calls_total';
/** Histogram (milliseconds, as the SDK's own latencies): every call that was sent, same labels. */
export const GATEWAY_LATENCY_METRIC = 'upay_gateway_latency_ms';
/** Counter: terminal check-ins, label `result`. */
export const CHECKINS_METRIC = 'upay_checkins_total';

/** Buckets of the latency histogram: the simulator answers in milliseconds, the gateway holds a pay up to 35 s (deadline 55 s). */
export const GATEWAY_LATENCY_BUCKETS_MS = [
  5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 20_000, 35_000, 50_000, 65_000,
] as const;

export type GatewayEndpoint = GatewayOperation | 'checkin';

/** `kind` label: the classifier's verdict, or why no answer can be read. */
export type CallKind = OutcomeKind | 'not_sent' | 'error';

/** `error_code` of a call not sent because this worker has no key for the terminal. */
export const UNKNOWN_TERMINAL_CODE = 'UNKNOWN_TERMINAL';

const KNOWN_ERROR_CODES: ReadonlySet<string> = new Set([
  UNKNOWN_TERMINAL_CODE,
  ...BIZ_ERROR_CODES,
  ...TOP_LEVEL_ERROR_CODES['400'],
  ...TOP_LEVEL_ERROR_CODES['500'],
]);

const ABORT_CODES: ReadonlySet<string> = new Set(CALL_ABORT_CODES);

/**
 * The `error_code` label: a documented gateway code as it is, any other code `OTHER`, a call that
 * failed below HTTP its undici/system code (UND_ERR_HEADERS_TIMEOUT, ECONNRESET, …) or why the worker
 * ended it (CALL_DEADLINE, SEND_DEADLINE, …: call-limits.ts), none `none`. A gateway could send
 * anything in error_code; a label must stay a small set.
 */
export function errorCodeLabel(answer: { errorCode?: string; transportError?: string }): string {
  if (answer.errorCode !== undefined) return KNOWN_ERROR_CODES.has(answer.errorCode) ? answer.errorCode : 'OTHER';
  if (answer.transportError !== undefined && ABORT_CODES.has(answer.transportError)) return answer.transportError;
  if (answer.transportError !== undefined) {
    return /^(UND_ERR_[A-Z_]{1,40}|E[A-Z]{2,20})$/.test(answer.transportError) ? answer.transportError : 'TRANSPORT';
  }
  return 'none';
}

/** Counts one gateway call and, when it was sent, its latency. */
export function recordGatewayCall(
  endpoint: GatewayEndpoint,
  kind: CallKind,
  answer: { errorCode?: string; transportError?: string },
  latencyMs?: number,
): void {
  const labels = { endpoint, kind, error_code: errorCodeLabel(answer) };
  metricMeter.createCounter(GATEWAY_CALLS_METRIC, '', 'Gateway calls by endpoint and result').add(1, labels);
  if (latencyMs !== undefined) {
    metricMeter
      .createHistogram(GATEWAY_LATENCY_METRIC, 'int', 'ms', 'Gateway call latency by endpoint and result')
      .record(Math.max(0, Math.round(latencyMs)), labels);
  }
}

/** `result` label of a check-in: ok, or the CheckinFailure it ends with (workflows/checkin-types.ts). */
export type CheckinResultLabel = 'ok' | 'no_answer' | 'refused' | 'key_rejected' | 'not_in_key_store' | 'not_stored';

export function recordCheckin(result: CheckinResultLabel): void {
  metricMeter.createCounter(CHECKINS_METRIC, '', 'Terminal check-ins by result').add(1, { result });
}

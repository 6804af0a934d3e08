/**
 * Pure input checks shared by the client library (before anything is started) and the workflow
 * (for starts from the CLI or Web UI). Each problem names its field.
 */
import { endOfShanghaiDay } from './timing';
import type { Resolution, ResolveRequest, TimingOverrides } from './types';

export interface FieldProblem {
  field: string;
  problem: string;
}

/** Printable ASCII without spaces: what the gateway's ids accept safely. */
const VISIBLE_ASCII = /^[\x21-\x7E]+$/;
const MAX_AMOUNT_FEN = 9_999_999_999; // "不超过10位纯数字"

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkString(
  obj: Json,
  field: string,
  max: number,
  opts: { optional?: boolean; ascii?: boolean },
): FieldProblem[] {
  const value = obj[field];
  if (value === undefined && opts.optional) return [];
  if (typeof value !== 'string')
    return [{ field, problem: value === undefined ? 'is required' : `must be a string, got ${typeof value}` }];
  if (value.trim() === '') return [{ field, problem: 'must not be empty' }];
  if (value.length > max) return [{ field, problem: `must be at most ${max} characters, got ${value.length}` }];
  if (opts.ascii && !VISIBLE_ASCII.test(value)) return [{ field, problem: 'must be printable ASCII without spaces' }];
  return [];
}

function checkUnknownFields(obj: Json, allowed: readonly string[], prefix = ''): FieldProblem[] {
  return Object.keys(obj)
    .filter((key) => !allowed.includes(key))
    .map((key) => ({ field: `${prefix}${key}`, problem: 'is not a known field' }));
}

function checkAmount(value: unknown): FieldProblem[] {
  const field = 'amountFen';
  if (value === undefined) return [{ field, problem: 'is required' }];
  if (typeof value !== 'number' || !Number.isInteger(value))
    return [{ field, problem: 'must be an integer number of fen' }];
  if (value <= 0) return [{ field, problem: 'must be positive' }];
  if (value > MAX_AMOUNT_FEN) return [{ field, problem: `must be at most 10 digits (≤ ${MAX_AMOUNT_FEN} fen)` }];
  return [];
}

const MAX_DURATION_MS = 7 * 24 * 3600 * 1000;

function checkDuration(field: string, value: unknown): FieldProblem[] {
  if (value === undefined) return [];
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > MAX_DURATION_MS) {
    return [{ field, problem: 'must be a positive integer number of ms, at most 7 days' }];
  }
  return [];
}

const TIMING_FIELDS = [
  'confirmIntervalMs',
  'confirmWindowMs',
  'cancelDelaysMs',
  'cancelDeadlineAfterMs',
  'revokeWindowAfterMs',
  'paySendDeadlineMs',
  'requestDoubtMs',
] as const;

function checkTiming(value: unknown): FieldProblem[] {
  if (value === undefined) return [];
  if (!isObject(value)) return [{ field: 'timing', problem: 'must be an object' }];
  const problems = checkUnknownFields(value, TIMING_FIELDS, 'timing.');
  for (const field of TIMING_FIELDS) {
    if (field === 'cancelDelaysMs') continue;
    problems.push(...checkDuration(`timing.${field}`, value[field]));
  }
  const delays = value.cancelDelaysMs;
  if (delays !== undefined) {
    if (!Array.isArray(delays) || delays.length === 0 || delays.length > 100) {
      problems.push({ field: 'timing.cancelDelaysMs', problem: 'must be a list of 1 to 100 durations' });
    } else {
      delays.forEach((d, i) => problems.push(...checkDuration(`timing.cancelDelaysMs[${i}]`, d)));
    }
  }
  return problems;
}

const PAYMENT_FIELDS = [
  'terminalSn',
  'clientSn',
  'amountFen',
  'dynamicId',
  'subject',
  'operator',
  'description',
  'reflect',
  'payway',
  'timing',
] as const;

/** `terminal_sn` is "不超过32位的纯数字" (upay reference §4.3): it also keeps workflow IDs unambiguous. */
const TERMINAL_SN_DIGITS = /^\d+$/;

function checkTerminalSn(input: Json, digitsOnly: boolean): FieldProblem[] {
  const problems = checkString(input, 'terminalSn', 32, { ascii: true });
  if (problems.length === 0 && digitsOnly && !TERMINAL_SN_DIGITS.test(input.terminalSn as string))
    problems.push({ field: 'terminalSn', problem: 'must be digits only (upay terminal_sn: 不超过32位的纯数字)' });
  return problems;
}

/**
 * Every problem of a payment request; empty when it may be sent. `terminalSnDigitsOnly: false` is
 * for the legacy in-workflow check only, which must replay as it ran (R8).
 */
export function validatePaymentRequest(input: unknown, { terminalSnDigitsOnly = true } = {}): FieldProblem[] {
  if (!isObject(input)) return [{ field: '(request)', problem: 'must be a JSON object' }];
  const problems = checkUnknownFields(input, PAYMENT_FIELDS);
  problems.push(
    ...checkTerminalSn(input, terminalSnDigitsOnly),
    ...checkString(input, 'clientSn', 32, { ascii: true }),
    ...checkAmount(input.amountFen),
    ...checkString(input, 'dynamicId', 32, { ascii: true }),
    ...checkString(input, 'subject', 64, {}),
    ...checkString(input, 'operator', 32, {}),
    ...checkString(input, 'description', 256, { optional: true }),
    ...checkString(input, 'reflect', 64, { optional: true }),
    ...checkTiming(input.timing),
  );
  if (input.payway !== undefined && (typeof input.payway !== 'string' || !/^\d{1,3}$/.test(input.payway))) {
    problems.push({ field: 'payway', problem: 'must be a string of 1 to 3 digits' });
  }
  return problems;
}

/** A payment's reference (terminal + order), as the client names one before any call. */
export function validatePaymentRef(input: unknown): FieldProblem[] {
  if (!isObject(input)) return [{ field: '(payment)', problem: 'must be an object with terminalSn and clientSn' }];
  return [...checkTerminalSn(input, true), ...checkString(input, 'clientSn', 32, { ascii: true })];
}

export function validateRecheckRequest(input: unknown): FieldProblem[] {
  if (!isObject(input))
    return [{ field: '(recheck)', problem: 'must be a JSON object like {"operator":"…","note":"…"}' }];
  return [
    ...checkUnknownFields(input, ['operator', 'note']),
    ...checkString(input, 'operator', 64, {}),
    ...checkString(input, 'note', 256, { optional: true }),
  ];
}

export function validateRevokeRequest(input: unknown): FieldProblem[] {
  if (!isObject(input))
    return [{ field: '(revoke)', problem: 'must be a JSON object like {"operator":"…","reason":"…"}' }];
  return [
    ...checkUnknownFields(input, ['operator', 'reason']),
    ...checkString(input, 'operator', 64, {}),
    ...checkString(input, 'reason', 256, {}),
  ];
}

const RESOLUTIONS: readonly Resolution[] = [
  'PAID',
  'FAILED',
  'CANCELED',
  'REVOKED',
  'REFUNDED',
  'PARTIAL_REFUNDED',
  'SETTLED_OUTSIDE',
];

export function validateResolveRequest(input: unknown): FieldProblem[] {
  if (!isObject(input))
    return [
      { field: '(resolve)', problem: 'must be a JSON object like {"operator":"…","resolution":"CANCELED","note":"…"}' },
    ];
  const problems = [
    ...checkUnknownFields(input, ['operator', 'resolution', 'note', 'reference', 'refund']),
    ...checkString(input, 'operator', 64, {}),
    ...checkString(input, 'note', 1024, {}),
    ...checkString(input, 'reference', 128, { optional: input.resolution !== 'SETTLED_OUTSIDE' }),
  ];
  if (!RESOLUTIONS.includes(input.resolution as ResolveRequest['resolution'])) {
    problems.push({ field: 'resolution', problem: `must be one of ${RESOLUTIONS.join(', ')}` });
  }
  if (input.refund !== undefined) problems.push(...checkResolveRefund(input));
  return problems;
}

/**
 * "Money kept, give it back" (issue #16 part 3): a PAID resolution may carry `refund`, and the payment
 * starts that refund itself (the operator is sent to the gateway as the refund's operator: ≤32).
 */
function checkResolveRefund(input: Json): FieldProblem[] {
  const refund = input.refund;
  if (!isObject(refund))
    return [{ field: 'refund', problem: 'must be a JSON object like {"refundRequestNo":"R1","amountFen":100}' }];
  const problems = [
    ...checkUnknownFields(refund, ['refundRequestNo', 'amountFen'], 'refund.'),
    ...checkString(refund, 'refundRequestNo', 20, { ascii: true }).map((p) => ({ ...p, field: `refund.${p.field}` })),
    ...checkAmount(refund.amountFen).map((p) => ({ ...p, field: 'refund.amountFen' })),
  ];
  if (input.resolution !== 'PAID')
    problems.push({ field: 'refund', problem: 'only with resolution PAID (the money was kept: give it back)' });
  if (typeof input.operator === 'string' && input.operator.length > 32)
    problems.push({ field: 'operator', problem: 'must be at most 32 characters with a refund (sent to the gateway)' });
  return problems;
}

/** One readable line: `amountFen must be positive; clientSn is required`. */
export function describeProblems(problems: FieldProblem[]): string {
  return problems.map((p) => `${p.field} ${p.problem}`).join('; ');
}

/** No cancel (or revoke) loop faster than a second: a gateway is not to be hammered, whatever a start asks for. */
export const MIN_CANCEL_DELAY_MS = 1_000;
/** Confirm queries at most five a second. */
export const MIN_CONFIRM_INTERVAL_MS = 200;

/**
 * Sane bounds for a payment's timing knobs (checked at admission, after the shape checks above):
 * no cancel loop faster than a second, no confirm loop faster than five queries a second, and no
 * deadline past the payment's business day (Asia/Shanghai), when the revoke window closes and the
 * workflow ends anyway.
 */
export function checkTimingBounds(timing: TimingOverrides | undefined, startedAt: number): FieldProblem[] {
  if (timing === undefined) return [];
  const problems: FieldProblem[] = [];
  const atLeast = (field: string, ms: number | undefined, min: number, what: string) => {
    if (ms !== undefined && ms < min) problems.push({ field, problem: `must be at least ${min} ms (${what})` });
  };
  atLeast(
    'timing.confirmIntervalMs',
    timing.confirmIntervalMs,
    MIN_CONFIRM_INTERVAL_MS,
    'at most five queries a second',
  );
  timing.cancelDelaysMs?.forEach((d, i) =>
    atLeast(`timing.cancelDelaysMs[${i}]`, d, MIN_CANCEL_DELAY_MS, 'no cancel loop faster than a second'),
  );
  const dayLeft = endOfShanghaiDay(startedAt) - startedAt;
  for (const field of [
    'confirmWindowMs',
    'cancelDeadlineAfterMs',
    'revokeWindowAfterMs',
    'paySendDeadlineMs',
    'requestDoubtMs',
  ] as const) {
    const ms = timing[field];
    if (ms !== undefined && ms > dayLeft)
      problems.push({
        field: `timing.${field}`,
        problem: `must end within the payment's business day (at most ${dayLeft} ms from its start, 00:00 Asia/Shanghai)`,
      });
  }
  return problems;
}

/**
 * Pure checks of a refund request and of an operator's resolution, shared by the client library
 * (before anything is started) and the workflow's admission (for starts from the CLI or the Web UI).
 * Each problem names its field (the style of validation.ts).
 */
import type { RefundResolution, RefundTimingOverrides } from './refund-types';
import type { FieldProblem } from './validation';

type Json = Record<string, unknown>;

/** Printable ASCII without spaces. */
const VISIBLE_ASCII = /^[\x21-\x7E]+$/;
const MAX_AMOUNT_FEN = 9_999_999_999; // refund_amount String(10)
const MAX_DURATION_MS = 7 * 24 * 3600 * 1000;
/** No refund loop faster than a second, whatever a start asks for. */
export const MIN_REFUND_DELAY_MS = 1_000;
/** Queries at most five a second. */
export const MIN_REFUND_CHECK_INTERVAL_MS = 200;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unknownFields(obj: Json, allowed: readonly string[], prefix = ''): FieldProblem[] {
  return Object.keys(obj)
    .filter((key) => !allowed.includes(key))
    .map((key) => ({ field: `${prefix}${key}`, problem: 'is not a known field' }));
}

function text(obj: Json, field: string, max: number, opts: { optional?: boolean; pattern?: [RegExp, string] } = {}) {
  const value = obj[field];
  if (value === undefined && opts.optional) return [];
  if (typeof value !== 'string')
    return [{ field, problem: value === undefined ? 'is required' : `must be a string, got ${typeof value}` }];
  if (value.trim() === '') return [{ field, problem: 'must not be empty' }];
  if (value.length > max) return [{ field, problem: `must be at most ${max} characters, got ${value.length}` }];
  if (opts.pattern && !opts.pattern[0].test(value)) return [{ field, problem: opts.pattern[1] }];
  return [];
}

function amount(value: unknown): FieldProblem[] {
  const field = 'amountFen';
  if (value === undefined) return [{ field, problem: 'is required' }];
  if (typeof value !== 'number' || !Number.isInteger(value))
    return [{ field, problem: 'must be an integer number of fen' }];
  if (value <= 0) return [{ field, problem: 'must be positive' }];
  if (value > MAX_AMOUNT_FEN) return [{ field, problem: `must be at most 10 digits (≤ ${MAX_AMOUNT_FEN} fen)` }];
  return [];
}

const TIMING_FIELDS = ['retryDelaysMs', 'deadlineAfterMs', 'requestDoubtMs', 'checkIntervalMs'] as const;

function duration(field: string, value: unknown, min = 1): FieldProblem[] {
  if (value === undefined) return [];
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > MAX_DURATION_MS)
    return [{ field, problem: 'must be a positive integer number of ms, at most 7 days' }];
  if (value < min) return [{ field, problem: `must be at least ${min} ms` }];
  return [];
}

function timing(value: unknown): FieldProblem[] {
  if (value === undefined) return [];
  if (!isObject(value)) return [{ field: 'timing', problem: 'must be an object' }];
  const t = value as Json & RefundTimingOverrides;
  const problems = unknownFields(t, TIMING_FIELDS, 'timing.');
  problems.push(
    ...duration('timing.deadlineAfterMs', t.deadlineAfterMs),
    ...duration('timing.requestDoubtMs', t.requestDoubtMs),
    ...duration('timing.checkIntervalMs', t.checkIntervalMs, MIN_REFUND_CHECK_INTERVAL_MS),
  );
  const delays: unknown = t.retryDelaysMs;
  if (delays !== undefined) {
    if (!Array.isArray(delays) || delays.length === 0 || delays.length > 100)
      problems.push({ field: 'timing.retryDelaysMs', problem: 'must be a list of 1 to 100 durations' });
    else delays.forEach((d, i) => problems.push(...duration(`timing.retryDelaysMs[${i}]`, d, MIN_REFUND_DELAY_MS)));
  }
  return problems;
}

const REFUND_FIELDS = [
  'terminalSn',
  'clientSn',
  'sn',
  'refundRequestNo',
  'amountFen',
  'operator',
  'reason',
  'timing',
] as const;

/** Every problem of a refund request; empty when it may be sent. Nothing here calls the gateway. */
export function validateRefundRequest(input: unknown): FieldProblem[] {
  if (!isObject(input))
    return [
      {
        field: '(request)',
        problem:
          'must be a JSON object like {"terminalSn":"…","clientSn":"…","refundRequestNo":"…","amountFen":100,"operator":"…"}',
      },
    ];
  const problems = unknownFields(input, REFUND_FIELDS);
  problems.push(
    // Digits only, so the workflow ID is unambiguous (refund-types.ts refundWorkflowId).
    ...text(input, 'terminalSn', 32, { pattern: [/^\d+$/, 'must be digits only'] }),
    ...text(input, 'clientSn', 32, {
      optional: true,
      pattern: [VISIBLE_ASCII, 'must be printable ASCII without spaces'],
    }),
    ...text(input, 'sn', 16, { optional: true, pattern: [/^\d+$/, 'must be digits only (the gateway order number)'] }),
    ...text(input, 'refundRequestNo', 20, { pattern: [VISIBLE_ASCII, 'must be printable ASCII without spaces'] }),
    ...amount(input.amountFen),
    ...text(input, 'operator', 32),
    ...text(input, 'reason', 256, { optional: true }),
    ...timing(input.timing),
  );
  if (input.clientSn === undefined && input.sn === undefined)
    problems.push({ field: 'clientSn', problem: 'or sn is required (the order to refund)' });
  return problems;
}

const RESOLUTIONS: readonly RefundResolution[] = ['REFUNDED', 'NOT_REFUNDED', 'SETTLED_OUTSIDE'];

export function validateRefundResolveRequest(input: unknown): FieldProblem[] {
  if (!isObject(input))
    return [
      {
        field: '(resolve)',
        problem: 'must be a JSON object like {"operator":"…","resolution":"REFUNDED","note":"…"}',
      },
    ];
  const problems = [
    ...unknownFields(input, ['operator', 'resolution', 'note', 'reference']),
    ...text(input, 'operator', 64),
    ...text(input, 'note', 1024),
    ...text(input, 'reference', 128, { optional: input.resolution !== 'SETTLED_OUTSIDE' }),
  ];
  if (!RESOLUTIONS.includes(input.resolution as RefundResolution))
    problems.push({ field: 'resolution', problem: `must be one of ${RESOLUTIONS.join(', ')}` });
  return problems;
}

import { parseArgs } from 'node:util';
import type { RefundRequest, RefundResolveRequest } from '../workflows/refund-types';
import type {
  PaymentRequest,
  RecheckRequest,
  ResolveRequest,
  RevokeRequest,
  TimingOverrides,
} from '../workflows/types';

/** CLI flag of each request field, so errors can name what the user typed. */
export const FLAG_OF_FIELD: Record<string, string> = {
  terminalSn: '--terminal-sn',
  clientSn: '--client-sn',
  amountFen: '--amount',
  dynamicId: '--dynamic-id',
  subject: '--subject',
  operator: '--operator',
  description: '--description',
  reflect: '--reflect',
  payway: '--payway',
  timing: '--timing',
  reason: '--reason',
  resolution: '--resolution',
  note: '--note',
  reference: '--reference',
  code: '--code',
  deviceId: '--device-id',
  appId: '--app-id',
  name: '--name',
  sn: '--sn',
  refundRequestNo: '--refund-no',
};

const OPTIONS = {
  'terminal-sn': { type: 'string' },
  'client-sn': { type: 'string' },
  amount: { type: 'string' },
  'dynamic-id': { type: 'string' },
  subject: { type: 'string' },
  operator: { type: 'string' },
  description: { type: 'string' },
  reflect: { type: 'string' },
  payway: { type: 'string' },
  timing: { type: 'string' },
  'wait-ms': { type: 'string' },
  reason: { type: 'string' },
  resolution: { type: 'string' },
  note: { type: 'string' },
  reference: { type: 'string' },
  signal: { type: 'boolean' },
  code: { type: 'string' },
  'device-id': { type: 'string' },
  'app-id': { type: 'string' },
  name: { type: 'string' },
  sn: { type: 'string' },
  'refund-no': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export type CliValues = ReturnType<typeof parse>['values'];

export function parse(argv: string[]) {
  return parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
}

/** Digits stay a number; anything else is passed through so validation names the field. */
function amountOf(raw: string | undefined): unknown {
  return raw !== undefined && /^\d{1,16}$/.test(raw) ? Number(raw) : raw;
}

function timingOf(raw: string | undefined): TimingOverrides | undefined {
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as TimingOverrides;
  } catch {
    return raw as unknown as TimingOverrides; // validation reports "timing must be an object"
  }
}

function defined<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}

export function payRequestOf(v: CliValues, defaultTerminalSn: string | undefined): PaymentRequest {
  return defined({
    terminalSn: v['terminal-sn'] ?? defaultTerminalSn,
    clientSn: v['client-sn'],
    amountFen: amountOf(v.amount),
    dynamicId: v['dynamic-id'],
    subject: v.subject,
    operator: v.operator,
    description: v.description,
    reflect: v.reflect,
    payway: v.payway,
    timing: timingOf(v.timing),
  }) as PaymentRequest;
}

export function revokeRequestOf(v: CliValues): RevokeRequest {
  return defined({ operator: v.operator, reason: v.reason }) as RevokeRequest;
}

/** `resolve`; with --refund-no and --amount, "money kept, give it back": the payment starts that refund. */
export function resolveRequestOf(v: CliValues): ResolveRequest {
  const refund =
    v['refund-no'] !== undefined || v.amount !== undefined
      ? defined({ refundRequestNo: v['refund-no'], amountFen: amountOf(v.amount) })
      : undefined;
  return defined({
    operator: v.operator,
    resolution: v.resolution,
    note: v.note,
    reference: v.reference,
    refund,
  }) as ResolveRequest;
}

export function recheckRequestOf(v: CliValues): RecheckRequest {
  return defined({ operator: v.operator, note: v.note }) as RecheckRequest;
}

/** `refund`: the order by --client-sn (or --sn), the refund by --refund-no; --timing is refund timing JSON. */
export function refundRequestOf(v: CliValues, defaultTerminalSn: string | undefined): RefundRequest {
  return defined({
    terminalSn: v['terminal-sn'] ?? defaultTerminalSn,
    clientSn: v['client-sn'],
    sn: v.sn,
    refundRequestNo: v['refund-no'],
    amountFen: amountOf(v.amount),
    operator: v.operator,
    reason: v.reason,
    timing: timingOf(v.timing),
  }) as RefundRequest;
}

export function refundResolveRequestOf(v: CliValues): RefundResolveRequest {
  return defined({
    operator: v.operator,
    resolution: v.resolution,
    note: v.note,
    reference: v.reference,
  }) as RefundResolveRequest;
}

import type { ServedEndpoint } from './endpoints';

/**
 * INVALID_PARAMS checks (reference §4, §9.3). Returns the Chinese error_message naming the first bad field,
 * or undefined when the body is acceptable. Lengths count characters (String(n) in the doc tables).
 */

export interface FieldRule {
  /** Characters; absent where the doc gives no length. */
  max?: number;
  required?: boolean;
  amount?: boolean;
}

const LOOKUP = { terminal_sn: { max: 32, required: true }, sn: { max: 16 }, client_sn: { max: 64 } };

const RULES: Record<ServedEndpoint, Record<string, FieldRule>> = {
  pay: {
    terminal_sn: { max: 32, required: true },
    client_sn: { max: 32, required: true },
    total_amount: { max: 10, required: true, amount: true },
    dynamic_id: { max: 32, required: true },
    subject: { max: 64, required: true },
    operator: { max: 32, required: true },
    payway: { max: 3 },
    description: { max: 256 },
    reflect: { max: 64 },
    device_id: { max: 128 },
    notify_url: { max: 128 },
    longitude: { max: 32 },
    latitude: { max: 32 },
  },
  query: { ...LOOKUP, refund_request_no: { max: 20 } },
  cancel: LOOKUP,
  revoke: LOOKUP,
  refund: {
    ...LOOKUP,
    client_sn: { max: 32 },
    refund_request_no: { max: 20, required: true },
    refund_amount: { max: 10, required: true, amount: true },
    operator: { max: 64, required: true },
    // DOC-M only ("商户退款流水号"), removed in DOC-D (§4.6): accepted, and echoed as the answer's client_tsn.
    client_tsn: { max: 32 },
  },
};

/** JSON-typed fields the API allows besides strings (pay/refund `extended`, `goods_details`). */
const NON_SCALAR = new Set(['extended', 'goods_details']);

export function validateRequest(endpoint: ServedEndpoint, body: Record<string, unknown>): string | undefined {
  const invalid = checkFields(body, RULES[endpoint]);
  if (invalid) return invalid;
  // A query may name only its refund (DOC-D query.md; OMNI sends terminal_sn + refund_request_no alone).
  const byRefund = endpoint === 'query' && !!body.refund_request_no;
  if (endpoint !== 'pay' && !body.sn && !body.client_sn && !byRefund) return 'sn与client_sn不能同时为空';
  if ((body.longitude === undefined) !== (body.latitude === undefined)) return 'longitude与latitude必须同时出现';
  return undefined;
}

/**
 * The body without its `null` fields: a client that serialises an unset optional field as JSON null (the Java and
 * Python demos' maps, Omnipay's arrays) means "absent". A required field sent as null is then missing.
 */
export function withoutNulls(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([, value]) => value !== null));
}

/** Every scalar a string (`extended`/`goods_details` excepted), then the rules in order; the first problem wins. */
export function checkFields(body: Record<string, unknown>, rules: Record<string, FieldRule>): string | undefined {
  for (const [field, value] of Object.entries(body)) {
    if (NON_SCALAR.has(field)) continue;
    if (typeof value !== 'string') return `${field}必须是字符串`;
  }
  for (const [field, rule] of Object.entries(rules)) {
    const value = body[field] as string | undefined;
    if (value === undefined || value === '') {
      if (rule.required) return `${field}不可以为空`;
      continue;
    }
    if (rule.amount && !isAmount(value)) return `${field}金额为整数，长度不超过10位，以分为单位`;
    if (rule.max !== undefined && [...value].length > rule.max) return `${field}长度不能超过${rule.max}位`;
  }
  return undefined;
}

/** Digits only, 1–10 characters, greater than zero. */
function isAmount(value: string): boolean {
  return /^\d{1,10}$/.test(value) && Number(value) > 0;
}

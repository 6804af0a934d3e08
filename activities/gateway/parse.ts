import type { BizResponseWire, EnvelopeWire, OrderDataWire } from './models';
import type { RefundOrderSnapshot } from '../../workflows/refund-types';
import type { OrderSnapshot } from '../../workflows/types';

/** The body was not a well-formed upay v2 envelope; `reason` says what was wrong (no body content). */
export class MalformedResponseError extends Error {
  constructor(readonly reason: string) {
    super(`malformed gateway response: ${reason}`);
    this.name = 'MalformedResponseError';
  }
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(obj: Json, field: string, where: string): string | undefined {
  const value = obj[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new MalformedResponseError(`${where}.${field} is ${typeof value}, not a string`);
  return value;
}

function requiredString(obj: Json, field: string, where: string): string {
  const value = optionalString(obj, field, where);
  if (value === undefined) throw new MalformedResponseError(`${where}.${field} is missing`);
  return value;
}

/** Scalars in `data` must be strings (the doc: "所有返回数据的类型都是字符串"); arrays and objects pass. */
function parseData(raw: unknown): OrderDataWire {
  if (!isObject(raw)) throw new MalformedResponseError('biz_response.data is not an object');
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value === 'number' || typeof value === 'boolean') {
      throw new MalformedResponseError(`biz_response.data.${key} is ${typeof value}, not a string`);
    }
  }
  return {
    ...(raw as Record<string, string>),
    // A null terminal_sn is "not given", not a terminal to compare (money-rules R1).
    terminal_sn: optionalString(raw, 'terminal_sn', 'biz_response.data'),
    sn: requiredString(raw, 'sn', 'biz_response.data'),
    client_sn: requiredString(raw, 'client_sn', 'biz_response.data'),
    order_status: requiredString(raw, 'order_status', 'biz_response.data'),
    total_amount: optionalString(raw, 'total_amount', 'biz_response.data') ?? '',
  };
}

function parseBiz(raw: unknown): BizResponseWire {
  if (!isObject(raw)) throw new MalformedResponseError('biz_response is missing or not an object');
  const biz: BizResponseWire = { result_code: requiredString(raw, 'result_code', 'biz_response') };
  const errorCode = optionalString(raw, 'error_code', 'biz_response');
  const errorMessage = optionalString(raw, 'error_message', 'biz_response');
  if (errorCode !== undefined) biz.error_code = errorCode;
  if (errorMessage !== undefined) biz.error_message = errorMessage;
  if (raw.data !== undefined && raw.data !== null) biz.data = parseData(raw.data);
  return biz;
}

/** Strictly parses both envelope layers; throws MalformedResponseError on anything unexpected. */
export function parseEnvelope(text: string): EnvelopeWire {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new MalformedResponseError(`body is not JSON (${text.length} bytes)`);
  }
  if (!isObject(raw)) throw new MalformedResponseError('body is not a JSON object');
  const envelope: EnvelopeWire = { result_code: requiredString(raw, 'result_code', 'envelope') };
  for (const field of ['error_code', 'error_message', 'error_code_standard'] as const) {
    const value = optionalString(raw, field, 'envelope');
    if (value !== undefined) envelope[field] = value;
  }
  if (envelope.result_code === '200') envelope.biz_response = parseBiz(raw.biz_response);
  return envelope;
}

function toFen(value: string | undefined): number | undefined {
  return value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : undefined;
}

/**
 * camelCase view of the order data, numbers where the wire has digit strings. Keeps what the saga needs
 * to check an answer against its request (money-rules R1): client_sn, terminal_sn, total_amount.
 */
export function toOrderSnapshot(data: OrderDataWire): OrderSnapshot {
  const snapshot: RefundOrderSnapshot = { sn: data.sn, clientSn: data.client_sn, orderStatus: data.order_status };
  // Kept as sent (even empty): the saga compares it with the request's terminal (money-rules R1).
  if (data.terminal_sn !== undefined) snapshot.terminalSn = data.terminal_sn;
  if (data.status !== undefined) snapshot.flowStatus = data.status;
  const total = toFen(data.total_amount);
  const net = toFen(data.net_amount);
  const finish = toFen(data.finish_time);
  if (total !== undefined) snapshot.totalAmountFen = total;
  if (net !== undefined) snapshot.netAmountFen = net;
  if (data.trade_no) snapshot.tradeNo = data.trade_no;
  if (data.payway) snapshot.payway = data.payway;
  if (finish !== undefined) snapshot.finishTime = finish;
  if (data.refund_request_no) snapshot.refundRequestNo = data.refund_request_no;
  return snapshot;
}

/**
 * upay v2 wire types (snake_case, every scalar a string), shared by the client and the simulator.
 * Reference: ../shared/spec/upay-v2-reference.md §3 (envelope), §4 (endpoints), §14 (types).
 */

/** The endpoints this project calls. */
export const Endpoint = {
  pay: '/upay/v2/pay',
  query: '/upay/v2/query',
  cancel: '/upay/v2/cancel',
  revoke: '/upay/v2/revoke',
  refund: '/upay/v2/refund',
  activate: '/terminal/activate',
  checkin: '/terminal/checkin',
} as const;

export interface PayRequestWire {
  terminal_sn: string;
  client_sn: string;
  total_amount: string;
  dynamic_id: string;
  subject: string;
  operator: string;
  payway?: string;
  description?: string;
  reflect?: string;
}

/** query, cancel and revoke: `sn` is looked up before `client_sn`; at least one is required. */
export interface OrderLookupWire {
  terminal_sn: string;
  sn?: string;
  client_sn?: string;
}

/** `/terminal/activate` (§4.1): signed with the vendor's `vendor_sn` / `vendor_key`, not a terminal key. */
export interface ActivateRequestWire {
  app_id: string;
  code: string;
  device_id: string;
  client_sn?: string;
  name?: string;
  os_info?: string;
  sdk_version?: string;
}

/** `/terminal/checkin` (§4.2): signed with the terminal's last valid key. */
export interface CheckinRequestWire {
  terminal_sn: string;
  device_id: string;
  os_info?: string;
  sdk_version?: string;
}

/** activate and checkin answer with the credentials directly in `biz_response` (§3.4): no result_code, no data. */
export interface TerminalCredentialsWire {
  terminal_sn: string;
  terminal_key: string;
}

export interface RefundRequestWire extends OrderLookupWire {
  refund_request_no: string;
  refund_amount: string;
  operator: string;
}

/** Order snapshot in `biz_response.data`. All values are strings; times are Unix ms. */
export interface OrderDataWire {
  terminal_sn?: string;
  sn: string;
  client_sn: string;
  trade_no?: string;
  status?: string;
  order_status: string;
  payway?: string;
  payway_name?: string;
  sub_payway?: string;
  total_amount: string;
  net_amount?: string;
  subject?: string;
  operator?: string;
  reflect?: string;
  ctime?: string;
  finish_time?: string;
  channel_finish_time?: string;
  refund_request_no?: string;
}

export interface BizResponseWire {
  result_code: string;
  error_code?: string;
  error_message?: string;
  data?: OrderDataWire;
}

/** Outer envelope: `result_code` "200" carries `biz_response`; "400"/"500" carry `error_code`. */
export interface EnvelopeWire {
  result_code: string;
  error_code?: string;
  error_message?: string;
  error_code_standard?: string;
  biz_response?: BizResponseWire;
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate } from './auth';
import type { ServedEndpoint } from './endpoints';
import { clientError } from './envelopes';
import type { GatewayDeps, Reply } from './gateway';
import { handleApi } from './gateway';
import { parseJsonObject, readBody, replyAndLog } from './http-io';
import type { RequestLogEntry } from './ledger';
import type { TerminalKeys } from './terminal-keys';
import { validateRequest, withoutNulls } from './validation';

export interface ApiDeps extends GatewayDeps {
  terminals: TerminalKeys;
  log(entry: RequestLogEntry): void;
}

/** One /upay/v2/* request: auth over the raw bytes, JSON parse, validation, then the gateway; always logged. */
export async function serveApi(
  deps: ApiDeps,
  endpoint: ServedEndpoint,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const raw = await readBody(req);
  const at = deps.clock.now();
  const entry: RequestLogEntry = { at, endpoint, signature_valid: false, http_status: 0 };
  const reply = await decide(deps, endpoint, req.headers.authorization, raw, entry);
  replyAndLog(res, reply, entry, (e) => deps.log(e));
}

async function decide(
  deps: ApiDeps,
  endpoint: ServedEndpoint,
  header: string | undefined,
  raw: Buffer,
  entry: RequestLogEntry,
): Promise<Reply> {
  const now = deps.clock.now();
  const auth = authenticate(header, raw, (sn) => deps.terminals.validKeys(sn, now), 'INVALID_TERMINAL');
  if (auth.sn !== undefined) entry.terminal_sn = auth.sn;
  if (!auth.ok) return { envelope: clientError(auth.errorCode) };
  entry.signature_valid = true;
  entry.signed_with = auth.role;
  const parsed = parseJsonObject(raw);
  if (!parsed) return { envelope: clientError('INVALID_PARAMS', '请求体必须是JSON对象') };
  const body = withoutNulls(parsed);
  if (typeof body.client_sn === 'string') entry.client_sn = body.client_sn;
  if (typeof body.sn === 'string') entry.sn = body.sn;
  if (typeof body.refund_request_no === 'string') entry.refund_request_no = body.refund_request_no;
  if (endpoint === 'refund' && typeof body.refund_amount === 'string') entry.refund_amount = body.refund_amount;
  // The header names the key that signed the body; a body for another terminal is not covered by it.
  if (body.terminal_sn !== undefined && body.terminal_sn !== auth.sn) {
    return { envelope: clientError('ILLEGAL_SIGN') };
  }
  const invalid = validateRequest(endpoint, body);
  if (invalid) return { envelope: clientError('INVALID_PARAMS', invalid) };
  const reply = await handleApi(deps, endpoint, body as Record<string, string>);
  const data = reply.envelope.biz_response?.data;
  if (data && entry.sn === undefined) entry.sn = data.sn;
  return reply;
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EnvelopeWire } from '../activities/gateway/models';
import { authenticate } from './auth';
import type { ServedEndpoint } from './endpoints';
import { clientError } from './envelopes';
import type { GatewayDeps, Reply } from './gateway';
import { handleApi } from './gateway';
import { readBody, sendReply } from './http-io';
import type { RequestLogEntry } from './ledger';
import type { TerminalRegistry } from './terminals';
import { validateRequest } from './validation';

export interface ApiDeps extends GatewayDeps {
  terminals: TerminalRegistry;
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
  const sent = sendReply(res, reply);
  entry.http_status = sent.httpStatus;
  if (reply.fault) entry.fault = reply.fault;
  if (sent.envelope) describe(entry, sent.envelope);
  deps.log(entry);
}

async function decide(
  deps: ApiDeps,
  endpoint: ServedEndpoint,
  header: string | undefined,
  raw: Buffer,
  entry: RequestLogEntry,
): Promise<Reply> {
  const auth = authenticate(header, raw, deps.terminals);
  if (auth.terminalSn !== undefined) entry.terminal_sn = auth.terminalSn;
  if (!auth.ok) return { envelope: clientError(auth.errorCode) };
  entry.signature_valid = true;
  const body = parseObject(raw);
  if (!body) return { envelope: clientError('INVALID_PARAMS', '请求体必须是JSON对象') };
  if (typeof body.client_sn === 'string') entry.client_sn = body.client_sn;
  if (typeof body.sn === 'string') entry.sn = body.sn;
  // The header names the key that signed the body; a body for another terminal is not covered by it.
  if (body.terminal_sn !== undefined && body.terminal_sn !== auth.terminalSn) {
    return { envelope: clientError('ILLEGAL_SIGN') };
  }
  const invalid = validateRequest(endpoint, body);
  if (invalid) return { envelope: clientError('INVALID_PARAMS', invalid) };
  const reply = await handleApi(deps, endpoint, body as Record<string, string>);
  const data = reply.envelope.biz_response?.data;
  if (data && entry.sn === undefined) entry.sn = data.sn;
  return reply;
}

function parseObject(raw: Buffer): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    return parsed as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function describe(entry: RequestLogEntry, envelope: EnvelopeWire): void {
  entry.result_code = envelope.result_code;
  const biz = envelope.biz_response;
  if (biz) entry.biz_result_code = biz.result_code;
  const errorCode = biz?.error_code ?? envelope.error_code;
  if (errorCode !== undefined) entry.error_code = errorCode;
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type {
  ActivateRequestWire,
  CheckinRequestWire,
  EnvelopeWire,
  TerminalCredentialsWire,
} from '../activities/gateway/models';
import type { ActivationCodes } from './activation-codes';
import { authenticate } from './auth';
import type { CheckinFaults } from './checkin-faults';
import type { SimClock } from './clock';
import type { TerminalEndpoint } from './endpoints';
import { clientError, serverError } from './envelopes';
import { parseJsonObject, readBody, replyAndLog } from './http-io';
import type { RequestLogEntry } from './ledger';
import type { Fault } from './scenarios';
import type { TerminalKeys } from './terminal-keys';
import type { FieldRule } from './validation';
import { checkFields, withoutNulls } from './validation';

/**
 * POST /terminal/activate and /terminal/checkin (reference §4.1, §4.2). Both answer with the credentials directly
 * in `biz_response` — no biz result_code, no data (§3.1). Errors use the ordinary top-level envelope. The request
 * log gets codes and sns only: the answer carrying the key is never logged.
 */

/** `{"result_code":"200","biz_response":{terminal_sn, terminal_key}}`; models.ts has no envelope type for it. */
export interface TerminalEnvelopeWire extends Omit<EnvelopeWire, 'biz_response'> {
  biz_response?: TerminalCredentialsWire;
}

/** Errors use the ordinary envelope; only success carries credentials. */
interface TerminalReply {
  envelope: TerminalEnvelopeWire | EnvelopeWire;
  fault?: Fault;
}

export interface TerminalApiDeps {
  terminals: TerminalKeys;
  /** vendor_sn → vendor_key. */
  vendors: ReadonlyMap<string, string>;
  codes: ActivationCodes;
  faults: CheckinFaults;
  clock: SimClock;
  log(entry: RequestLogEntry): void;
}

/** §4.1; app_id and code have no documented length. */
const ACTIVATE_RULES: Record<string, FieldRule> = {
  app_id: { required: true },
  code: { required: true },
  device_id: { max: 128, required: true },
  client_sn: { max: 50 },
  name: { max: 128 },
  os_info: { max: 45 },
  sdk_version: { max: 45 },
};

/** §4.2 gives no lengths; terminal_sn as on every other endpoint, the rest as on activate. */
const CHECKIN_RULES: Record<string, FieldRule> = {
  terminal_sn: { max: 32, required: true },
  device_id: { max: 128, required: true },
  os_info: { max: 45 },
  sdk_version: { max: 45 },
};

export async function serveTerminalApi(
  deps: TerminalApiDeps,
  endpoint: TerminalEndpoint,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const raw = await readBody(req);
  const now = deps.clock.now();
  const entry: RequestLogEntry = { at: now, endpoint, signature_valid: false, http_status: 0 };
  const header = req.headers.authorization;
  const reply =
    endpoint === 'activate' ? activate(deps, header, raw, entry, now) : checkin(deps, header, raw, entry, now);
  replyAndLog(res, reply, entry, (e) => deps.log(e));
}

/** Signed by the vendor; spends the activation code and creates a terminal bound to device_id. */
function activate(
  deps: TerminalApiDeps,
  header: string | undefined,
  raw: Buffer,
  entry: RequestLogEntry,
  now: number,
): TerminalReply {
  const auth = authenticate(
    header,
    raw,
    (sn) => {
      const key = deps.vendors.get(sn);
      return key === undefined ? undefined : [{ key, role: 'current' }];
    },
    // No vendor error code exists in the reference; an unknown signer's signature cannot verify.
    'ILLEGAL_SIGN',
  );
  if (auth.sn !== undefined) entry.vendor_sn = auth.sn;
  if (!auth.ok) return { envelope: clientError(auth.errorCode) };
  entry.signature_valid = true;
  const parsed = parseJsonObject(raw);
  if (!parsed) return { envelope: clientError('INVALID_PARAMS', '请求体必须是JSON对象') };
  const body = withoutNulls(parsed);
  const invalid = checkFields(body, ACTIVATE_RULES);
  if (invalid) return { envelope: clientError('INVALID_PARAMS', invalid) };
  const req = body as unknown as ActivateRequestWire;
  // Unknown or spent code: 400 ACTIVATE_FAIL "激活信息异常" (reference §7.1, ISSUE5; codes are single-use, §4.1).
  if (!deps.codes.redeem(req.code)) return { envelope: clientError('ACTIVATE_FAIL') };
  const credentials = deps.terminals.activate(req.device_id, now);
  entry.terminal_sn = credentials.terminal_sn;
  return { envelope: { result_code: '200', biz_response: credentials } };
}

/** Signed with the terminal's current or previous key; rotates the key unless a test fault says otherwise. */
function checkin(
  deps: TerminalApiDeps,
  header: string | undefined,
  raw: Buffer,
  entry: RequestLogEntry,
  now: number,
): TerminalReply {
  const auth = authenticate(header, raw, (sn) => deps.terminals.validKeys(sn, now, 'checkin'), 'INVALID_TERMINAL');
  if (auth.sn !== undefined) entry.terminal_sn = auth.sn;
  if (!auth.ok) return { envelope: clientError(auth.errorCode) };
  entry.signature_valid = true;
  entry.signed_with = auth.role;
  const parsed = parseJsonObject(raw);
  if (!parsed) return { envelope: clientError('INVALID_PARAMS', '请求体必须是JSON对象') };
  const body = withoutNulls(parsed);
  // As on /upay/v2/*: the header names the key that signed the body; a body for another terminal is not covered.
  if (body.terminal_sn !== undefined && body.terminal_sn !== auth.sn) return { envelope: clientError('ILLEGAL_SIGN') };
  const invalid = checkFields(body, CHECKIN_RULES);
  if (invalid) return { envelope: clientError('INVALID_PARAMS', invalid) };
  const req = body as unknown as CheckinRequestWire;
  // "签到失败一般都是更换设备导致" (§2.4). The reference names no code for it; INVALID_PARAMS naming device_id
  // keeps it apart from INVALID_TERMINAL (unknown terminal_sn) and from ILLEGAL_SIGN (bad or stale key).
  const bound = deps.terminals.deviceOf(req.terminal_sn);
  if (bound !== undefined && bound !== req.device_id) {
    return { envelope: clientError('INVALID_PARAMS', 'device_id与终端激活时的设备不一致') };
  }
  const fault = deps.faults.take(req.terminal_sn);
  // 'error': nothing changes, the caller keeps its key. 'drop': the key rotates but the answer is lost (reset).
  if (fault === 'error') return { envelope: serverError('UNKNOWN_SYSTEM_ERROR'), fault: 'system-error' };
  const credentials = deps.terminals.rotate(req.terminal_sn, req.device_id, now);
  const envelope: TerminalEnvelopeWire = { result_code: '200', biz_response: credentials };
  return fault === 'drop' ? { envelope, fault: 'reset' } : { envelope };
}

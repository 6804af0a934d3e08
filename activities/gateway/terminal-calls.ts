import type { Dispatcher } from 'undici';
import type { RawExchange } from './classify';
import { postSigned } from './http';
import { Endpoint, type ActivateRequestWire, type CheckinRequestWire } from './models';
import { TERMINAL_CALL_DEADLINES, type CallDeadline } from './timeouts';

/**
 * What activate or checkin returned. `answered: false` means no readable answer came back: the
 * gateway may still have acted (spent the activation code, rotated the key).
 */
export type CredentialsResult =
  | { ok: true; terminalSn: string; terminalKey: string }
  | { ok: false; answered: boolean; reason: string; errorCode?: string };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** activate and checkin put terminal_sn / terminal_key directly in biz_response (reference §3.4). */
export function parseCredentials(exchange: RawExchange): CredentialsResult {
  // Never sent: the gateway did nothing, so another check-in is safe; like no answer, it is retried.
  if (exchange.kind === 'not_sent') return { ok: false, answered: false, reason: `not sent: ${exchange.why}` };
  if (exchange.kind === 'transport') return { ok: false, answered: false, reason: `transport ${exchange.code}` };
  let body: unknown;
  try {
    body = JSON.parse(exchange.body);
  } catch {
    return { ok: false, answered: false, reason: `HTTP ${exchange.status}, body is not JSON` };
  }
  if (!isObject(body)) return { ok: false, answered: false, reason: `HTTP ${exchange.status}, body is not an object` };
  const resultCode = str(body.result_code);
  const biz = isObject(body.biz_response) ? body.biz_response : undefined;
  const terminalSn = str(biz?.terminal_sn);
  const terminalKey = str(biz?.terminal_key);
  if (resultCode === '200' && terminalSn && terminalKey) return { ok: true, terminalSn, terminalKey };
  const errorCode = str(biz?.error_code) ?? str(biz?.result_code) ?? str(body.error_code);
  const reason = `result_code ${resultCode ?? '?'}${errorCode ? ` ${errorCode}` : ''}`;
  // A 5xx or an unparsable 200 leaves it open whether the gateway acted; a 400 or a business failure does not.
  const answered = resultCode === '400' || (resultCode === '200' && errorCode !== undefined);
  return { ok: false, answered, reason, ...(errorCode ? { errorCode } : {}) };
}

export interface TerminalCallOptions {
  dispatcher: Dispatcher;
  origin: string;
  timeouts?: Partial<Record<'activate' | 'checkin', CallDeadline>>;
}

/** `/terminal/activate`, signed with the vendor's sn and key. */
export async function activateTerminal(
  options: TerminalCallOptions,
  body: ActivateRequestWire,
  vendor: { vendorSn: string; vendorKey: string },
): Promise<CredentialsResult> {
  return parseCredentials(
    await postSigned({
      dispatcher: options.dispatcher,
      url: `${options.origin}${Endpoint.activate}`,
      body,
      signer: { sn: vendor.vendorSn, key: vendor.vendorKey },
      deadline: options.timeouts?.activate ?? TERMINAL_CALL_DEADLINES.activate,
    }),
  );
}

/** `/terminal/checkin`, signed with the terminal's key (the last one known valid). */
export async function checkinTerminal(
  options: TerminalCallOptions,
  body: CheckinRequestWire,
  key: string,
): Promise<CredentialsResult> {
  return parseCredentials(
    await postSigned({
      dispatcher: options.dispatcher,
      url: `${options.origin}${Endpoint.checkin}`,
      body,
      signer: { sn: body.terminal_sn, key },
      deadline: options.timeouts?.checkin ?? TERMINAL_CALL_DEADLINES.checkin,
    }),
  );
}

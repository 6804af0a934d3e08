import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate } from './auth';
import type { SimClock } from './clock';
import { clientError } from './envelopes';
import { readBody, replyAndLog } from './http-io';
import type { RequestLogEntry } from './ledger';
import type { TerminalKeys } from './terminal-keys';

export const UPLOAD_LOG_PATH = '/terminal/uploadLog';

/**
 * POST /terminal/uploadLog (reference §4.8): the body is the compressed log itself, signed like any body. Accepts
 * anything signed by a terminal and answers `{"result_code":"200","error_code":"SUCCESS","error_message":"ok"}`
 * (DOC-EN log_upload.md); the bytes are not kept.
 */
export async function serveUploadLog(
  deps: { terminals: TerminalKeys; clock: SimClock; log(entry: RequestLogEntry): void },
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const raw = await readBody(req);
  const now = deps.clock.now();
  const entry: RequestLogEntry = { at: now, endpoint: 'uploadLog', signature_valid: false, http_status: 0 };
  const auth = authenticate(
    req.headers.authorization,
    raw,
    (sn) => deps.terminals.validKeys(sn, now),
    'INVALID_TERMINAL',
  );
  if (auth.sn !== undefined) entry.terminal_sn = auth.sn;
  if (auth.ok) {
    entry.signature_valid = true;
    entry.signed_with = auth.role;
  }
  const envelope = auth.ok
    ? { result_code: '200', error_code: 'SUCCESS', error_message: 'ok' }
    : clientError(auth.errorCode);
  replyAndLog(res, { envelope }, entry, (e) => deps.log(e));
}

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EnvelopeWire } from '../activities/gateway/models';
import { serverError } from './envelopes';
import type { RequestLogEntry } from './ledger';
import type { Fault } from './scenarios';

/** Larger bodies are refused: no legitimate upay request comes close. */
const MAX_BODY_BYTES = 1024 * 1024;

/** The raw request bytes, exactly as received (the signature covers these, not a re-serialization). */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The body as a JSON object, or undefined when it is not one (arrays and scalars included). */
export function parseJsonObject(raw: Buffer): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(raw.toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    return parsed as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}

const BAD_GATEWAY_PAGE =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n' +
  '<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

/** What actually went on the wire, for the request log. */
export interface Sent<E extends object = EnvelopeWire> {
  httpStatus: number;
  envelope?: E | EnvelopeWire;
}

/** Sends a reply (an upay envelope, or an activate/check-in one), applying its fault. */
export function sendReply<E extends object>(res: ServerResponse, reply: { envelope: E; fault?: Fault }): Sent<E> {
  switch (reply.fault) {
    case undefined:
      sendJson(res, 200, reply.envelope);
      return { httpStatus: 200, envelope: reply.envelope };
    case 'reset':
      res.socket?.destroy();
      return { httpStatus: 0 };
    case 'hang':
      // Never answered; close() destroys the connection if the client has not given up first.
      return { httpStatus: 0 };
    case 'system-error':
    case 'maintenance': {
      const envelope = serverError(reply.fault === 'maintenance' ? 'MAINTENANCE_INPROGRESS' : 'UNKNOWN_SYSTEM_ERROR');
      sendJson(res, 200, envelope);
      return { httpStatus: 200, envelope };
    }
    case 'truncated-json': {
      const full = JSON.stringify(reply.envelope);
      const half = full.slice(0, Math.floor(full.length / 2));
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(half),
      });
      res.end(half);
      return { httpStatus: 200 };
    }
    case 'html-502':
      res.writeHead(502, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(BAD_GATEWAY_PAGE) });
      res.end(BAD_GATEWAY_PAGE);
      return { httpStatus: 502 };
  }
}

/** Any envelope the simulator sends: a upay one, or activate/check-in with the credentials in biz_response. */
interface LoggableEnvelope {
  result_code: string;
  error_code?: string;
  biz_response?: { result_code?: string; error_code?: string } | object;
}

/** Sends the reply and completes its request-log entry (HTTP status, fault, result and error codes). */
export function replyAndLog(
  res: ServerResponse,
  reply: { envelope: LoggableEnvelope; fault?: Fault },
  entry: RequestLogEntry,
  log: (entry: RequestLogEntry) => void,
): void {
  const sent = sendReply(res, reply);
  entry.http_status = sent.httpStatus;
  if (reply.fault) entry.fault = reply.fault;
  if (sent.envelope) {
    entry.result_code = sent.envelope.result_code;
    const biz = sent.envelope.biz_response as { result_code?: string; error_code?: string } | undefined;
    if (biz?.result_code !== undefined) entry.biz_result_code = biz.result_code;
    const errorCode = biz?.error_code ?? sent.envelope.error_code;
    if (errorCode !== undefined) entry.error_code = errorCode;
  }
  log(entry);
}

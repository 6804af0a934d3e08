import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a test's gateway saw: one entry per request whose headers reached it. */
export interface ReceivedRequest {
  path: string;
  body: Record<string, unknown>;
  /** The client closed the connection before the answer was sent (it aborted the call). */
  abandoned: boolean;
}

/**
 * A real HTTP gateway stand-in (node:http) that holds every request until `release()`, to saturate a
 * client's pool and keep calls in flight. It records exactly which requests arrived: a request the
 * client held back never appears. Answers are the documented success of each endpoint.
 */
export interface HoldingGateway {
  origin: string;
  received: ReceivedRequest[];
  /** Resolves once `n` requests have arrived. */
  arrived(n: number): Promise<void>;
  /** Answers every held request, and from now on every new one at once. */
  release(): void;
  close(): Promise<void>;
}

const ANSWERS: Record<string, string> = {
  '/upay/v2/pay': 'PAY_SUCCESS',
  '/upay/v2/query': 'SUCCESS',
  '/upay/v2/cancel': 'CANCEL_SUCCESS',
  '/upay/v2/revoke': 'CANCEL_SUCCESS',
};

function answer(res: ServerResponse, path: string, body: Record<string, unknown>): void {
  const status = path.endsWith('/pay') || path.endsWith('/query') ? 'PAID' : 'CANCELED';
  const data = { sn: '7894259244067349', client_sn: String(body.client_sn), order_status: status, total_amount: '100' };
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ result_code: '200', biz_response: { result_code: ANSWERS[path] ?? 'FAIL', data } }));
}

export async function startHoldingGateway(): Promise<HoldingGateway> {
  const received: ReceivedRequest[] = [];
  const held: (() => void)[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  let released = false;

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      const entry: ReceivedRequest = { path: req.url ?? '', body, abandoned: false };
      received.push(entry);
      res.on('close', () => {
        if (!res.writableFinished) entry.abandoned = true;
      });
      waiters.filter((w) => received.length >= w.n).forEach((w) => w.resolve());
      const reply = () => answer(res, entry.path, body);
      if (released) reply();
      else held.push(reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    origin: `http://127.0.0.1:${port}`,
    received,
    arrived: (n) =>
      received.length >= n ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ n, resolve })),
    release: () => {
      released = true;
      held.splice(0).forEach((reply) => reply());
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

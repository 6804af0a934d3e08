import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HealthServer {
  /** The port it listens on (the one picked by the system when asked for 0). */
  port: number;
  close(): Promise<void>;
}

/** Thrown when the port cannot be listened on; `code` is the system's (EADDRINUSE, EACCES, …). */
export class HealthPortError extends Error {
  constructor(
    readonly port: number,
    readonly code: string,
  ) {
    super(`WORKER_HEALTH_PORT ${port}: cannot listen (${code})`);
    this.name = 'HealthPortError';
  }
}

/**
 * `GET /healthz`: 200 while the process runs (liveness). `GET /readyz`: 200 while `isReady()` holds,
 * 503 otherwise (readiness: the worker polls; not while it starts, drains or has stopped). Both
 * answer a small JSON body; anything else is 404. Listens on every interface, so an orchestrator
 * can reach it from outside the container.
 */
export async function startHealthServer(options: {
  port: number;
  isReady: () => boolean;
  /** Added to the /readyz body, e.g. the worker's state. */
  describe?: () => Record<string, unknown>;
}): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (status: number, body: Record<string, unknown>) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify(body));
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, { error: 'method not allowed' });
    if (path === '/healthz') return send(200, { status: 'ok' });
    if (path === '/readyz') {
      const ready = options.isReady();
      return send(ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', ...options.describe?.() });
    }
    return send(404, { error: 'not found', endpoints: ['/healthz', '/readyz'] });
  });
  // Probes are short requests: do not let a stuck client hold the process at exit.
  server.keepAliveTimeout = 1_000;
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => reject(new HealthPortError(options.port, err.code ?? err.message));
    server.once('error', onError);
    server.listen(options.port, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.unref();
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

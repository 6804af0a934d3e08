import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { serveApi } from './api';
import { createClock } from './clock';
import { handleControl } from './control';
import { endpointFor } from './endpoints';
import { sendJson } from './http-io';
import type { LedgerView, RequestLogEntry } from './ledger';
import { buildLedger } from './ledger';
import { OrderBook } from './orders';
import type { Scenario } from './scenarios';
import type { TerminalCredentials } from './terminals';
import { TerminalRegistry } from './terminals';

export interface SimulatorOptions {
  /** 0 = any free port (default 0). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  terminals: TerminalCredentials[];
  /** Base clock in ms; default Date.now. */
  clock?: () => number;
}

export interface RunningSimulator {
  /** http://HOST:PORT */
  url: string;
  port: number;
  close(): Promise<void>;
  ledger(): LedgerView;
  /** Attach a scenario to a client_sn before its pay. */
  setScenario(clientSn: string, scenario: Scenario): void;
  /** Shift the simulator clock (e.g. past midnight Asia/Shanghai for revoke tests). */
  setClockOffset(ms: number): void;
  /** Clear orders, scenarios, the request log and the clock offset. */
  reset(): void;
}

export async function startSimulator(opts: SimulatorOptions): Promise<RunningSimulator> {
  const clock = createClock(opts.clock);
  const book = new OrderBook(clock.now());
  const scenarios = new Map<string, Scenario>();
  const requests: RequestLogEntry[] = [];
  const closing = new AbortController();
  const sim = {
    ledger: () => buildLedger(book, requests, clock.now()),
    setScenario: (clientSn: string, scenario: Scenario) => void scenarios.set(clientSn, scenario),
    setClockOffset: (ms: number) => clock.setOffset(ms),
    reset: () => {
      book.reset();
      scenarios.clear();
      requests.length = 0;
      clock.setOffset(0);
    },
  };
  const apiDeps = {
    book,
    scenarios,
    clock,
    terminals: new TerminalRegistry(opts.terminals),
    log: (entry: RequestLogEntry) => void requests.push(entry),
    sleep: (ms: number) => (ms > 0 ? delay(ms, undefined, { signal: closing.signal }) : Promise.resolve()),
  };
  const controlDeps = { ...sim, now: () => clock.now(), offset: () => clock.offset() };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://simulator').pathname;
    if (path.startsWith('/_sim/')) return handleControl(controlDeps, req, res, path);
    const endpoint = endpointFor(path);
    if (!endpoint) return sendJson(res, 404, { error: 'not found' });
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'POST only' });
    return serveApi(apiDeps, endpoint, req, res);
  };

  const server = createServer((req, res) => {
    route(req, res).catch(() => {
      // Closing mid-hold, or a broken request: drop the connection rather than invent an answer.
      if (!res.headersSent && !closing.signal.aborted) sendJson(res, 500, { error: 'simulator internal error' });
      else res.socket?.destroy();
    });
  });
  const port = await listen(server, opts.port ?? 0, opts.host ?? '127.0.0.1');
  const host = opts.host ?? '127.0.0.1';

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    ...sim,
    close: () => {
      closing.abort();
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Held and hung requests would otherwise keep close() waiting forever.
        server.closeAllConnections();
      });
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { ActivationCodes } from './activation-codes';
import { serveApi } from './api';
import type { CheckinFaultMode } from './checkin-faults';
import { CheckinFaults } from './checkin-faults';
import { createClock } from './clock';
import { handleControl } from './control';
import { endpointFor, terminalEndpointFor } from './endpoints';
import { sendJson } from './http-io';
import type { LedgerView, RequestLogEntry } from './ledger';
import { buildLedger } from './ledger';
import { OrderBook } from './orders';
import type { Scenario } from './scenarios';
import { serveTerminalApi } from './terminal-api';
import type { TerminalView } from './terminal-keys';
import { TerminalKeys } from './terminal-keys';
import type { TerminalCredentials } from './terminals';
import type { VendorCredentials } from './vendors';
import { DEMO_VENDOR, vendorKeys } from './vendors';

export interface SimulatorOptions {
  /** 0 = any free port (default 0). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Seeded terminals: their key is current (issued at start), with no previous key. */
  terminals: TerminalCredentials[];
  /** Base clock in ms; default Date.now. */
  clock?: () => number;
  /** Who may sign /terminal/activate; default [DEMO_VENDOR]. */
  vendors?: VendorCredentials[];
  /** Single-use activation codes; default ['sim-activation-code']. `sim-code-…` codes are always accepted once. */
  activationCodes?: string[];
  /** Reject a key issued on Shanghai day D from day D+2 on (older than one natural day); default false. */
  keyExpiry?: boolean;
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
  /**
   * Clear orders, scenarios, the request log, check-in faults and the clock offset. Terminals, their keys and spent
   * activation codes stay (like sn numbering): a worker holding rotated keys keeps working across resets.
   */
  reset(): void;
  /** A terminal's key generation, device and key days (never a key); undefined when unknown. */
  terminal(terminalSn: string): TerminalView | undefined;
  /** The next `failNext` check-ins of this terminal fail with `mode`; false when the terminal is unknown. */
  setCheckinFault(terminalSn: string, failNext: number, mode: CheckinFaultMode): boolean;
}

export async function startSimulator(opts: SimulatorOptions): Promise<RunningSimulator> {
  const clock = createClock(opts.clock);
  const book = new OrderBook(clock.now());
  const terminals = new TerminalKeys(opts.terminals, clock.now(), opts.keyExpiry ?? false);
  const faults = new CheckinFaults();
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
      faults.reset();
      requests.length = 0;
      clock.setOffset(0);
    },
    terminal: (terminalSn: string) => terminals.view(terminalSn, clock.now()),
    setCheckinFault: (terminalSn: string, failNext: number, mode: CheckinFaultMode) => {
      if (!terminals.view(terminalSn, clock.now())) return false;
      faults.set(terminalSn, failNext, mode);
      return true;
    },
  };
  const log = (entry: RequestLogEntry) => void requests.push(entry);
  const apiDeps = {
    book,
    scenarios,
    clock,
    terminals,
    log,
    sleep: (ms: number) => (ms > 0 ? delay(ms, undefined, { signal: closing.signal }) : Promise.resolve()),
  };
  const terminalDeps = {
    terminals,
    vendors: vendorKeys(opts.vendors ?? [DEMO_VENDOR]),
    codes: new ActivationCodes(opts.activationCodes),
    faults,
    clock,
    log,
  };
  const controlDeps = { ...sim, now: () => clock.now(), offset: () => clock.offset() };

  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://simulator').pathname;
    if (path.startsWith('/_sim/')) return handleControl(controlDeps, req, res, path);
    const endpoint = endpointFor(path);
    const terminalEndpoint = terminalEndpointFor(path);
    if (!endpoint && !terminalEndpoint) return sendJson(res, 404, { error: 'not found' });
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'POST only' });
    if (terminalEndpoint) return serveTerminalApi(terminalDeps, terminalEndpoint, req, res);
    if (endpoint) return serveApi(apiDeps, endpoint, req, res);
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

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
import { endpointFor, terminalEndpointFor, unknownPath } from './endpoints';
import { sendJson } from './http-io';
import type { RequestLogEntry } from './ledger';
import { buildLedger } from './ledger';
import { Merchants } from './merchants';
import { OrderBook } from './orders';
import { PendingEffects } from './pending-effects';
import type { Scenario } from './scenarios';
import type { RunningSimulator, SimulatorOptions } from './simulator-api';
import { serveTerminalApi } from './terminal-api';
import { TerminalKeys } from './terminal-keys';
import { serveUploadLog, UPLOAD_LOG_PATH } from './upload-log';
import { DEMO_VENDOR, vendorKeys } from './vendors';

export type { RunningSimulator, SimulatorOptions } from './simulator-api';

export async function startSimulator(opts: SimulatorOptions): Promise<RunningSimulator> {
  const clock = createClock(opts.clock);
  const book = new OrderBook(clock.now());
  const pending = new PendingEffects();
  const merchants = new Merchants(opts.merchants, opts.clientSnScope);
  const terminals = new TerminalKeys(opts.terminals, clock.now(), opts.keyExpiry ?? false);
  const faults = new CheckinFaults();
  const scenarios = new Map<string, Scenario>();
  const requests: RequestLogEntry[] = [];
  const closing = new AbortController();
  const sim = {
    ledger: () => buildLedger(book, requests, pending, clock.now()),
    pending: () => {
      pending.landDue(clock.now());
      return pending.view();
    },
    setScenario: (clientSn: string, scenario: Scenario) => void scenarios.set(clientSn, scenario),
    setClockOffset: (ms: number) => clock.setOffset(ms),
    reset: () => {
      book.reset();
      pending.reset();
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
    setMerchant: (merchantSn: string, terminalSns: string[]) => merchants.assign(merchantSn, terminalSns),
    merchants: () => merchants.view(),
  };
  const log = (entry: RequestLogEntry) => void requests.push(entry);
  const apiDeps = {
    book,
    scenarios,
    clock,
    pending,
    merchants,
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
    const uploadLog = path === UPLOAD_LOG_PATH;
    // Not simulated (precreate) or unknown: the upay error envelope, never a bare 404 (§3.2: 400 = client error).
    if (!endpoint && !terminalEndpoint && !uploadLog) return sendJson(res, 200, unknownPath(path));
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'POST only' });
    if (uploadLog) return serveUploadLog(apiDeps, req, res);
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

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CheckinFaultMode } from './checkin-faults';
import { parseCheckinFault } from './checkin-faults';
import { shanghaiDay } from './clock';
import { readBody, sendJson } from './http-io';
import type { LedgerView } from './ledger';
import type { MerchantsView } from './merchants';
import type { PendingView } from './pending-effects';
import { parseScenario, ScenarioError } from './scenario-json';
import type { Scenario } from './scenarios';
import type { TerminalView } from './terminal-keys';

/** Test controls under /_sim/ (no auth: the simulator is a local test double, bound to 127.0.0.1 by default). */
export interface ControlDeps {
  now(): number;
  offset(): number;
  ledger(): LedgerView;
  pending(): PendingView[];
  setScenario(clientSn: string, scenario: Scenario): void;
  setClockOffset(ms: number): void;
  reset(): void;
  terminal(terminalSn: string): TerminalView | undefined;
  /** False when the terminal is unknown. */
  setCheckinFault(terminalSn: string, failNext: number, mode: CheckinFaultMode): boolean;
  setMerchant(merchantSn: string, terminalSns: string[]): void;
  merchants(): MerchantsView;
}

const TERMINAL_VIEW = '/_sim/terminals/';

export async function handleControl(
  deps: ControlDeps,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  const route = `${req.method ?? ''} ${path}`;
  if (req.method === 'GET' && path.startsWith(TERMINAL_VIEW)) {
    // Generation, device and key days only: no control route ever returns a key.
    const terminalSn = safeDecode(path.slice(TERMINAL_VIEW.length));
    const view = terminalSn === undefined ? undefined : deps.terminal(terminalSn);
    return view ? sendJson(res, 200, view) : sendJson(res, 404, { error: `no terminal ${terminalSn ?? ''}` });
  }
  switch (route) {
    case 'GET /_sim/health':
      return sendJson(res, 200, { status: 'ok' });
    case 'GET /_sim/ledger':
      return sendJson(res, 200, deps.ledger());
    case 'GET /_sim/pending': {
      const pending = deps.pending();
      return sendJson(res, 200, { count: pending.length, pending });
    }
    case 'GET /_sim/merchants':
      return sendJson(res, 200, deps.merchants());
    case 'POST /_sim/merchants': {
      const body = await jsonBody(req);
      const merchantSn = body?.merchant_sn;
      const terminalSns = body?.terminal_sns;
      const valid = Array.isArray(terminalSns) && terminalSns.every((t) => typeof t === 'string' && t !== '');
      if (typeof merchantSn !== 'string' || merchantSn === '' || !valid) {
        return sendJson(res, 400, { error: 'merchant_sn must be a non-empty string, terminal_sns an array of them' });
      }
      deps.setMerchant(merchantSn, terminalSns as string[]);
      return sendJson(res, 200, deps.merchants());
    }
    case 'GET /_sim/clock':
      return sendJson(res, 200, clockView(deps));
    case 'POST /_sim/reset':
      deps.reset();
      return sendJson(res, 200, { status: 'ok' });
    case 'POST /_sim/clock': {
      const body = await jsonBody(req);
      const offset = body?.offset_ms;
      if (typeof offset !== 'number' || !Number.isSafeInteger(offset)) {
        return sendJson(res, 400, { error: 'offset_ms must be an integer number of milliseconds' });
      }
      deps.setClockOffset(offset);
      return sendJson(res, 200, clockView(deps));
    }
    case 'POST /_sim/scenarios': {
      const body = await jsonBody(req);
      const clientSn = body?.client_sn;
      if (typeof clientSn !== 'string' || clientSn === '') {
        return sendJson(res, 400, { error: 'client_sn must be a non-empty string' });
      }
      try {
        deps.setScenario(clientSn, parseScenario(body?.scenario));
      } catch (err) {
        if (err instanceof ScenarioError) return sendJson(res, 400, { error: err.message });
        throw err;
      }
      return sendJson(res, 200, { status: 'ok', client_sn: clientSn });
    }
    case 'POST /_sim/checkin-faults': {
      const fault = parseCheckinFault(await jsonBody(req));
      if (typeof fault === 'string') return sendJson(res, 400, { error: fault });
      if (!deps.setCheckinFault(fault.terminalSn, fault.failNext, fault.mode)) {
        return sendJson(res, 404, { error: `no terminal ${fault.terminalSn}` });
      }
      return sendJson(res, 200, {
        status: 'ok',
        terminal_sn: fault.terminalSn,
        fail_next: fault.failNext,
        mode: fault.mode,
      });
    }
    default:
      return sendJson(res, 404, { error: `no control route ${route}` });
  }
}

function clockView(deps: ControlDeps): { now: number; offset_ms: number; shanghai_day: string } {
  const now = deps.now();
  return { now, offset_ms: deps.offset(), shanghai_day: shanghaiDay(now) };
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  try {
    const parsed: unknown = JSON.parse((await readBody(req)).toString('utf8'));
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

import type { CheckinFaultMode } from './checkin-faults';
import type { LedgerView } from './ledger';
import type { ClientSnScope, MerchantsView } from './merchants';
import type { PendingView } from './pending-effects';
import type { Scenario } from './scenarios';
import type { TerminalView } from './terminal-keys';
import type { TerminalCredentials } from './terminals';
import type { VendorCredentials } from './vendors';

/** What startSimulator takes and gives back (server.ts wires it). */

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
  /** merchant_sn → terminal_sns; every other terminal is in DEFAULT_MERCHANT_SN. */
  merchants?: Record<string, string[]>;
  /** Where a client_sn must be unique for every order: 'terminal' (default) or 'merchant'. */
  clientSnScope?: ClientSnScope;
}

export interface RunningSimulator {
  /** http://HOST:PORT */
  url: string;
  port: number;
  close(): Promise<void>;
  ledger(): LedgerView;
  /** Accepted effects not in the books yet (lands whatever is due first); empty = the books are final. */
  pending(): PendingView[];
  /** Attach a scenario to a client_sn before its pay. */
  setScenario(clientSn: string, scenario: Scenario): void;
  /** Shift the simulator clock (e.g. past midnight Asia/Shanghai for revoke tests). */
  setClockOffset(ms: number): void;
  /**
   * Clear orders, scenarios, pending effects, the request log, check-in faults and the clock offset. Terminals,
   * their keys and merchants, and spent activation codes stay (like sn numbering): a worker holding rotated keys
   * keeps working across resets.
   */
  reset(): void;
  /** A terminal's key generation, device and key days (never a key); undefined when unknown. */
  terminal(terminalSn: string): TerminalView | undefined;
  /** The next `failNext` check-ins of this terminal fail with `mode`; false when the terminal is unknown. */
  setCheckinFault(terminalSn: string, failNext: number, mode: CheckinFaultMode): boolean;
  /** Moves terminals to a merchant (client_sn scope 'merchant' spans a merchant's terminals). */
  setMerchant(merchantSn: string, terminalSns: string[]): void;
  merchants(): MerchantsView;
}

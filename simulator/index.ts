/** Public API of the upay v2 gateway simulator. */
export { startSimulator } from './server';
export type { RunningSimulator, SimulatorOptions } from './server';
export type {
  ActionStep,
  Fault,
  ForcedCancelAnswer,
  PayResult,
  PayScenario,
  QueryStep,
  Scenario,
  Settle,
} from './scenarios';
export { UPAY_TCP_ORDER_NOT_REFUNDABLE } from './scenarios';
export type { LedgerOrder, LedgerView, RequestLogEntry } from './ledger';
export type { Movement, MovementKind, OrderStatus, Transition } from './order-model';
export { scenarioFromBarcode } from './barcodes';
export { parseScenario } from './scenario-json';
export { DEMO_TERMINAL, loadTerminals } from './terminals';
export type { TerminalCredentials } from './terminals';
export { shanghaiDay } from './clock';

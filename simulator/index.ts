/** Public API of the upay v2 gateway simulator. */
export { startSimulator } from './server';
export type { RunningSimulator, SimulatorOptions } from './server';
export type {
  ActionStep,
  Fault,
  ForcedCancelAnswer,
  ForcedRefundAnswer,
  PayResult,
  PayScenario,
  QueryStep,
  RefundStep,
  Scenario,
  Settle,
} from './scenarios';
export type {
  EchoMismatch,
  ExistingOrder,
  ExistingStatus,
  HeldRequest,
  LateArrival,
  OddAnswer,
  OthersMeanwhile,
  SlowRefund,
  SlowReversal,
} from './unfriendly-scenarios';
export { SIBLING_TERMINAL_SN, UNLISTED_ERROR_CODE } from './unfriendly-scenarios';
export type { PendingKind, PendingView } from './pending-effects';
export { DEFAULT_MERCHANT_SN } from './merchants';
export type { ClientSnScope, MerchantsView } from './merchants';
export { UPAY_TCP_ORDER_NOT_REFUNDABLE } from './scenarios';
export type { LedgerOrder, LedgerRefund, LedgerView, RequestLogEntry } from './ledger';
export type { Movement, MovementKind, OrderStatus, RefundState, Transition } from './order-model';
export { scenarioFromBarcode } from './barcodes';
export { parseScenario } from './scenario-json';
export { DEMO_TERMINAL, loadTerminals } from './terminals';
export type { TerminalCredentials } from './terminals';
export { shanghaiDay } from './clock';
export { DEMO_VENDOR, loadVendors } from './vendors';
export type { VendorCredentials } from './vendors';
export { DEFAULT_ACTIVATION_CODES, MINTED_CODE_PREFIX } from './activation-codes';
export type { CheckinFaultMode } from './checkin-faults';
export type { KeyRole, TerminalView } from './terminal-keys';
export type { TerminalEnvelopeWire } from './terminal-api';

import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { AmountFenKey, ClientSnKey, PaymentStateKey, SnKey, TerminalSnKey } from './search-attributes';
import type {
  GatewayCallRecord,
  GatewayCallResult,
  PaymentRequest,
  PaymentState,
  PaymentStatus,
  ResolveRequest,
  ResolvedTiming,
} from './types';

/**
 * The one mutable record of a payment. Every state change goes through here, so the status query
 * and the search attributes can never disagree.
 */
export class SagaState {
  readonly status: PaymentStatus;
  /** An operator's resolve, waiting for the main flow to apply it. */
  pendingResolve: ResolveRequest | undefined;
  /** A cancel was sent before the payment turned out PAID: check the order once more before closing. */
  verifyBeforeClose = false;

  constructor(
    readonly request: PaymentRequest,
    timing: ResolvedTiming,
    startedAt: number,
  ) {
    this.status = {
      state: 'PAYING',
      terminalSn: request.terminalSn,
      clientSn: request.clientSn,
      amountFen: request.amountFen,
      subject: request.subject,
      startedAt,
      timing,
      calls: [],
      ignored: [],
    };
  }

  get state(): PaymentState {
    return this.status.state;
  }

  /** Publishes whatever search attributes differ from the current ones, in one history event. */
  private publish(): void {
    const s = this.status;
    const wanted: SearchAttributeUpdatePair[] = [
      { key: PaymentStateKey, value: s.state },
      { key: ClientSnKey, value: s.clientSn },
      { key: TerminalSnKey, value: s.terminalSn },
      { key: AmountFenKey, value: s.amountFen },
    ];
    if (s.sn) wanted.push({ key: SnKey, value: s.sn });
    const current = workflowInfo().typedSearchAttributes;
    const changed = wanted.filter((pair) => current.get(pair.key) !== pair.value);
    if (changed.length > 0) upsertSearchAttributes(changed);
  }

  /** Called once at start: fills in attributes the starter did not set (CLI and UI starts). */
  init(): void {
    this.publish();
  }

  setState(state: PaymentState): void {
    this.status.state = state;
    this.publish();
  }

  record(result: GatewayCallResult, attempt: number): GatewayCallResult {
    const record: GatewayCallRecord = { ...result, at: Date.now(), attempt };
    this.status.calls.push(record);
    if (!this.status.sn && result.order?.sn) this.status.sn = result.order.sn;
    return result;
  }

  escalate(reason: string): void {
    this.status.escalation = { reason, at: Date.now() };
    this.setState('NEEDS_ATTENTION');
  }

  /** The order reference for query, cancel and revoke: `sn` once the gateway has given one. */
  orderRef(): { terminalSn: string; clientSn: string; sn?: string } {
    const { terminalSn, clientSn, sn } = this.status;
    return sn ? { terminalSn, clientSn, sn } : { terminalSn, clientSn };
  }

  /** Applies an operator's resolve: the state becomes what the money actually did. */
  applyResolution(): void {
    const request = this.pendingResolve;
    if (!request) return;
    this.pendingResolve = undefined;
    this.status.resolution = { ...request, resolvedAt: Date.now() };
    this.setState(request.resolution);
  }
}

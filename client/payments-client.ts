import {
  WithStartWorkflowOperation,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import { InvalidRequestError, PaymentConflictError, RevokeRejectedError } from './errors';
import { startOrAttach } from './start-or-attach';
import { pollUntil } from './wait-for';
import {
  outcomeUpdate,
  recheckSignal,
  recheckUpdate,
  resolveSignal,
  revokeSignal,
  revokeUpdate,
  statusQuery,
} from '../workflows/definitions';
import { paymentSummary } from '../workflows/details';
import type { paymentSaga } from '../workflows/payment-saga';
import { AmountFenKey, ClientSnKey, PaymentStateKey, TerminalSnKey } from '../workflows/search-attributes';
import {
  OUTCOME_STATES,
  TASK_QUEUE,
  paymentWorkflowId,
  type PaymentRequest,
  type CancellationRecord,
  type PaymentStatus,
  type RecheckRecord,
  type RecheckRequest,
  type ResolveRequest,
  type RevokeRequest,
  type RevokeResult,
} from '../workflows/types';
import {
  checkTimingBounds,
  validatePaymentRef,
  validatePaymentRequest,
  validateRecheckRequest,
  validateResolveRequest,
  validateRevokeRequest,
} from '../workflows/validation';

/** Identifies a payment: the merchant order. */
export interface PaymentRef {
  terminalSn: string;
  clientSn: string;
}

export interface PayResult {
  workflowId: string;
  /** True when the outcome (PAID, FAILED, CANCELED, NEEDS_ATTENTION, REVOKED) is known; false if `waitMs` ran out first. */
  outcomeKnown: boolean;
  status: PaymentStatus;
}

/** What `abort` found: what the cancellation request did and where the money stands. */
export interface AbortResult {
  workflowId: string;
  /**
   * DO_NOT_TAKE: asked before the outcome: nothing is kept (FAILED: pay never sent or refused;
   * CANCELED: reversed) unless a person must look (NEEDS_ATTENTION). ALREADY_COMPENSATING: it was
   * being reversed anyway. IGNORED: the outcome was already known (PAID: use revoke). CLOSED: the
   * payment had already closed; nothing was asked.
   */
  effect: CancellationRecord['effect'] | 'CLOSED';
  /** False if `waitMs` ran out before the money's outcome was known. */
  settled: boolean;
  /** The state the money is in: `status.state`. */
  state: PaymentStatus['state'];
  status: PaymentStatus;
}

/** States in which a payment has not yet learnt what the money did. */
const MOVING: readonly PaymentStatus['state'][] = ['PAYING', 'CONFIRMING', 'CANCELING', 'REVOKING'];

/** Default wait for the pay outcome: the 45 s confirm window plus the first cancel and its query. */
export const DEFAULT_OUTCOME_WAIT_MS = 120_000;

/**
 * What a checkout service needs: pay and wait for the outcome, read the status, revoke, resolve.
 * Every method checks its input first and throws InvalidRequestError naming the field.
 */
export class PaymentsClient {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string = TASK_QUEUE,
  ) {}

  /**
   * Starts the payment (or finds the one already started for this order) and waits up to `waitMs`
   * for its outcome. Calling it twice for one order never pays twice.
   */
  async pay(request: PaymentRequest, opts: { waitMs?: number } = {}): Promise<PayResult> {
    // The same checks the workflow's admission makes (its answer is the one recorded), before anything starts.
    const problems = validatePaymentRequest(request);
    if (problems.length === 0) problems.push(...checkTimingBounds(request.timing, Date.now()));
    if (problems.length > 0) throw new InvalidRequestError(problems);
    const workflowId = paymentWorkflowId(request.terminalSn, request.clientSn);
    const start = new WithStartWorkflowOperation<typeof paymentSaga>('paymentSaga', {
      workflowId,
      taskQueue: this.taskQueue,
      args: [request],
      workflowIdConflictPolicy: 'USE_EXISTING', // a running payment for this order: attach to it
      workflowIdReusePolicy: 'REJECT_DUPLICATE', // a finished one: never start a second pay
      typedSearchAttributes: [
        { key: PaymentStateKey, value: 'PAYING' },
        { key: ClientSnKey, value: request.clientSn },
        { key: TerminalSnKey, value: request.terminalSn },
        { key: AmountFenKey, value: request.amountFen },
      ],
      staticSummary: paymentSummary(request), // the Web UI's list: "¥12.34 · coffee · terminal … · client_sn …"
    });
    const status = await startOrAttach(
      this.client.workflow,
      outcomeUpdate,
      start,
      opts.waitMs ?? DEFAULT_OUTCOME_WAIT_MS,
      () => this.status(request),
    );
    if (status.amountFen !== request.amountFen) {
      throw new PaymentConflictError(workflowId, `amountFen ${status.amountFen}, not ${request.amountFen}`);
    }
    return { workflowId, outcomeKnown: OUTCOME_STATES.includes(status.state), status };
  }

  /** The whole state of a payment (works while it runs and after it closed). */
  async status(ref: PaymentRef): Promise<PaymentStatus> {
    return this.handle(ref).query(statusQuery);
  }

  /**
   * The customer walked away before the outcome: asks Temporal to cancel the payment, which the
   * saga reads as "do not take this money" (money rules R6: pay is not sent, or what it did is
   * reversed), and waits up to `waitMs` for what the money did. A payment already PAID is not
   * touched (effect IGNORED: use revoke). The request's identity is this client's (Temporal history).
   */
  async abort(ref: PaymentRef, opts: { waitMs?: number } = {}): Promise<AbortResult> {
    const problems = validatePaymentRef(ref);
    if (problems.length > 0) throw new InvalidRequestError(problems);
    const workflowId = paymentWorkflowId(ref.terminalSn, ref.clientSn);
    const handle = this.handle(ref);
    if ((await handle.describe()).status.name !== 'RUNNING') {
      const status = await this.status(ref);
      return { workflowId, effect: 'CLOSED', settled: true, state: status.state, status };
    }
    await handle.cancel();
    const done = (s: PaymentStatus) => s.cancellation !== undefined && !MOVING.includes(s.state);
    let status: PaymentStatus;
    try {
      status = await this.waitFor(ref, done, { timeoutMs: opts.waitMs ?? DEFAULT_OUTCOME_WAIT_MS, intervalMs: 200 });
    } catch {
      status = await this.status(ref);
    }
    const effect = status.cancellation?.effect;
    if (!effect) throw new Error(`${workflowId}: the payment did not record the cancellation request`);
    return { workflowId, effect, settled: done(status), state: status.state, status };
  }

  /**
   * The customer says the money moved: the saga queries the gateway now and acts on the answer
   * (update: waits for it; the answer and what the saga did are in the returned record).
   */
  async recheck(ref: PaymentRef, request: RecheckRequest): Promise<RecheckRecord> {
    const problems = [...validatePaymentRef(ref), ...validateRecheckRequest(request)];
    if (problems.length > 0) throw new InvalidRequestError(problems);
    return this.handle(ref).executeUpdate(recheckUpdate, { args: [request] });
  }

  /** Sends the recheck signal, as the Web UI does; the answer shows in `status().rechecks`. */
  async recheckBySignal(ref: PaymentRef, request: RecheckRequest): Promise<void> {
    const problems = [...validatePaymentRef(ref), ...validateRecheckRequest(request)];
    if (problems.length > 0) throw new InvalidRequestError(problems);
    await this.handle(ref).signal(recheckSignal, request);
  }

  /** Revokes a PAID payment of today and waits for the result. Throws RevokeRejectedError when not allowed. */
  async revoke(ref: PaymentRef, request: RevokeRequest): Promise<RevokeResult> {
    const problems = validateRevokeRequest(request);
    if (problems.length > 0) throw new InvalidRequestError(problems);
    try {
      return await this.handle(ref).executeUpdate(revokeUpdate, { args: [request] });
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError) {
        throw new RevokeRejectedError(
          paymentWorkflowId(ref.terminalSn, ref.clientSn),
          err.cause?.message ?? err.message,
        );
      }
      throw await this.explainClosed(ref, err);
    }
  }

  /** A message to a finished payment fails as "not found"; say that it closed, and how. */
  private async explainClosed(ref: PaymentRef, err: unknown): Promise<unknown> {
    if (!(err instanceof WorkflowNotFoundError)) return err;
    try {
      const description = await this.handle(ref).describe();
      if (description.status.name === 'RUNNING') return err;
      const final = await this.status(ref);
      const workflowId = paymentWorkflowId(ref.terminalSn, ref.clientSn);
      return new RevokeRejectedError(workflowId, `payment closed as ${final.state}: its revoke window has ended`);
    } catch {
      return err;
    }
  }

  /** Sends the revoke signal, as the Web UI does; the outcome shows in `status().revoke`. */
  async revokeBySignal(ref: PaymentRef, request: RevokeRequest): Promise<void> {
    const problems = validateRevokeRequest(request);
    if (problems.length > 0) throw new InvalidRequestError(problems);
    try {
      await this.handle(ref).signal(revokeSignal, request);
    } catch (err) {
      throw await this.explainClosed(ref, err);
    }
  }

  /** Records an operator's decision on a NEEDS_ATTENTION payment. */
  async resolve(ref: PaymentRef, request: ResolveRequest): Promise<void> {
    const problems = validateResolveRequest(request);
    if (problems.length > 0) throw new InvalidRequestError(problems);
    await this.handle(ref).signal(resolveSignal, request);
  }

  /**
   * Polls the status until `done` holds (a payment not started yet counts as not done), e.g. for a
   * signal's effect. Throws after `timeoutMs` with the last state seen.
   */
  async waitFor(
    ref: PaymentRef,
    done: (status: PaymentStatus) => boolean,
    opts: { timeoutMs?: number; intervalMs?: number } = {},
  ): Promise<PaymentStatus> {
    return pollUntil(() => this.status(ref), done, ref.clientSn, opts);
  }

  /** The final status once the revoke window has closed (or a resolve ended it). */
  async result(ref: PaymentRef): Promise<PaymentStatus> {
    return this.handle(ref).result();
  }

  private handle(ref: PaymentRef) {
    return this.client.workflow.getHandle<typeof paymentSaga>(paymentWorkflowId(ref.terminalSn, ref.clientSn));
  }
}

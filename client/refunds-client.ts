import { WithStartWorkflowOperation, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { SearchAttributePair } from '@temporalio/common';
import { InvalidRequestError } from './errors';
import { startOrAttach } from './start-or-attach';
import { pollUntil } from './wait-for';
import {
  refundOutcomeUpdate,
  refundResolveSignal,
  refundResolveUpdate,
  refundStatusQuery,
} from '../workflows/refund-definitions';
import type { refundSaga } from '../workflows/refund-saga';
import {
  REFUND_OUTCOME_STATES,
  REFUND_WORKFLOW_TYPE,
  refundWorkflowId,
  type RefundRequest,
  type RefundResolveRequest,
  type RefundStatus,
} from '../workflows/refund-types';
import { validateRefundRequest, validateRefundResolveRequest } from '../workflows/refund-validation';
import { ClientSnKey, RefundStateKey, SnKey, TerminalSnKey } from '../workflows/search-attributes';
import { TASK_QUEUE } from '../workflows/types';

/** Identifies a refund: the order (by clientSn or sn) and its refund_request_no. */
export type RefundRef = Pick<RefundRequest, 'terminalSn' | 'clientSn' | 'sn' | 'refundRequestNo'>;

export interface RefundResult {
  workflowId: string;
  /** True when the outcome (REFUNDED, REFUSED, NEEDS_ATTENTION, or a resolution) is known; false if `waitMs` ran out. */
  outcomeKnown: boolean;
  status: RefundStatus;
}

/** Default wait for the outcome: the look, the first refund and a few retries on the default schedule. */
export const DEFAULT_REFUND_WAIT_MS = 60_000;

/** This refund_request_no was used for this order with other content: a refund number was reused. */
export class RefundConflictError extends Error {
  constructor(
    readonly workflowId: string,
    detail: string,
  ) {
    super(`refund ${workflowId} already exists with ${detail}; use a new refund_request_no for a new refund`);
    this.name = 'RefundConflictError';
  }
}

/** The refund refused the resolution (validator): not NEEDS_ATTENTION, or already resolved. */
export class RefundResolveRejectedError extends Error {
  constructor(
    readonly workflowId: string,
    readonly why: string,
  ) {
    super(`resolve of ${workflowId} rejected: ${why}`);
    this.name = 'RefundResolveRejectedError';
  }
}

/**
 * What a returns desk needs: refund and wait for the outcome, read the status, resolve. Every method
 * checks its input first and throws InvalidRequestError naming the field. A refund is one workflow per
 * refund_request_no: calling `refund` again with the same request attaches to it and never refunds twice.
 */
export class RefundsClient {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string = TASK_QUEUE,
  ) {}

  /** Starts the refund (or finds the one already started for this refund_request_no) and waits for its outcome. */
  async refund(request: RefundRequest, opts: { waitMs?: number } = {}): Promise<RefundResult> {
    const problems = validateRefundRequest(request);
    if (problems.length > 0) throw new InvalidRequestError(problems);
    const workflowId = refundWorkflowId(request);
    const searchAttributes: SearchAttributePair[] = [
      { key: RefundStateKey, value: 'LOOKING' },
      { key: TerminalSnKey, value: request.terminalSn },
      ...(request.clientSn !== undefined ? [{ key: ClientSnKey, value: request.clientSn }] : []),
      ...(request.sn !== undefined ? [{ key: SnKey, value: request.sn }] : []),
    ];
    const start = new WithStartWorkflowOperation<typeof refundSaga>(REFUND_WORKFLOW_TYPE, {
      workflowId,
      taskQueue: this.taskQueue,
      args: [request],
      workflowIdConflictPolicy: 'USE_EXISTING', // the same refund running: attach to it
      workflowIdReusePolicy: 'REJECT_DUPLICATE', // finished: never a second refund under this number
      typedSearchAttributes: searchAttributes,
    });
    const status = await startOrAttach(
      this.client.workflow,
      refundOutcomeUpdate,
      start,
      opts.waitMs ?? DEFAULT_REFUND_WAIT_MS,
      () => this.status(request),
    );
    if (status.amountFen !== request.amountFen) {
      throw new RefundConflictError(workflowId, `amountFen ${status.amountFen}, not ${request.amountFen}`);
    }
    return { workflowId, outcomeKnown: REFUND_OUTCOME_STATES.includes(status.state), status };
  }

  /** The whole state of a refund (while it runs and after it closed). */
  async status(ref: RefundRef): Promise<RefundStatus> {
    return this.handle(ref).query(refundStatusQuery);
  }

  /** Records an operator's decision on a NEEDS_ATTENTION refund and returns the final status. */
  async resolve(ref: RefundRef, request: RefundResolveRequest): Promise<RefundStatus> {
    const problems = validateRefundResolveRequest(request);
    if (problems.length > 0) throw new InvalidRequestError(problems);
    try {
      return await this.handle(ref).executeUpdate(refundResolveUpdate, { args: [request] });
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError)
        throw new RefundResolveRejectedError(refundWorkflowId(ref), err.cause?.message ?? err.message);
      throw err;
    }
  }

  /** Sends the resolve signal, as the Web UI does; the effect shows in `status().resolution`. */
  async resolveBySignal(ref: RefundRef, request: RefundResolveRequest): Promise<void> {
    const problems = validateRefundResolveRequest(request);
    if (problems.length > 0) throw new InvalidRequestError(problems);
    await this.handle(ref).signal(refundResolveSignal, request);
  }

  /** Polls the status until `done` holds; throws after `timeoutMs` with the last state seen. */
  async waitFor(
    ref: RefundRef,
    done: (status: RefundStatus) => boolean,
    opts: { timeoutMs?: number; intervalMs?: number } = {},
  ): Promise<RefundStatus> {
    return pollUntil(() => this.status(ref), done, ref.refundRequestNo, opts);
  }

  /** The final status once the workflow has completed. */
  async result(ref: RefundRef): Promise<RefundStatus> {
    return this.handle(ref).result();
  }

  private handle(ref: RefundRef) {
    return this.client.workflow.getHandle<typeof refundSaga>(refundWorkflowId(ref));
  }
}

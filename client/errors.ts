import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import type { FieldProblem } from '../workflows/validation';
import { describeProblems } from '../workflows/validation';

/** The request failed validation; nothing was started and nothing reached the gateway. */
export class InvalidRequestError extends Error {
  constructor(readonly problems: FieldProblem[]) {
    super(`invalid request: ${describeProblems(problems)}`);
    this.name = 'InvalidRequestError';
  }
}

/** A payment with this terminal_sn + client_sn exists with different content: a client_sn was reused. */
export class PaymentConflictError extends Error {
  constructor(
    readonly workflowId: string,
    detail: string,
  ) {
    super(`payment ${workflowId} already exists with ${detail}; use a new client_sn for a new payment`);
    this.name = 'PaymentConflictError';
  }
}

/** The workflow refused the revoke (validator): not PAID, not the same day, already requested, … */
export class RevokeRejectedError extends Error {
  constructor(
    readonly workflowId: string,
    readonly why: string,
  ) {
    super(`revoke of ${workflowId} rejected: ${why}`);
    this.name = 'RevokeRejectedError';
  }
}

/**
 * A start (update-with-start) that found the workflow already closed: it was closed when asked
 * (WorkflowExecutionAlreadyStartedError under REJECT_DUPLICATE), or it was running when the start
 * attached and closed before the update was admitted (the server answers NOT_FOUND "workflow execution
 * already completed"; found by fuzz under load, gen 2 seed 1043). Either way its final status answers.
 */
export function foundClosed(err: unknown): boolean {
  return (
    err instanceof WorkflowExecutionAlreadyStartedError ||
    err instanceof WorkflowNotFoundError ||
    (err instanceof Error && /workflow execution already completed/i.test(err.message))
  );
}

/**
 * What ends one gateway call besides the network (money-rules R5: no request outlives the decision that
 * gave it up). A closed set of codes, so each is safe as a log field and a metric label.
 */
export const CALL_ABORT_CODES = [
  /** The call's own deadline (timeouts.ts), which covers its time queued in the pool. */
  'CALL_DEADLINE',
  /** The send deadline (`sendBy`, less the arrival margin) passed before the request left the worker. */
  'SEND_DEADLINE',
  /** The activity's time ran out (its startToClose, less a margin to report the result). */
  'ACTIVITY_DEADLINE',
  /** Temporal cancelled the activity: cancel requested, timed out, workflow gone, worker shutting down. */
  'ACTIVITY_CANCELLED',
  /** Any other abort of the caller's signal. */
  'ABORTED',
] as const;
export type CallAbortCode = (typeof CALL_ABORT_CODES)[number];

/** The reason a call was aborted by the worker itself. */
export class CallAbortedError extends Error {
  constructor(
    readonly code: CallAbortCode,
    message: string,
  ) {
    super(message);
    this.name = 'CallAbortedError';
  }
}

/** An abort signal's reason as a CallAbortedError (a foreign reason becomes ABORTED). */
export function asCallAborted(reason: unknown): CallAbortedError {
  if (reason instanceof CallAbortedError) return reason;
  const message = reason instanceof Error ? reason.message : String(reason);
  return new CallAbortedError('ABORTED', `aborted: ${message}`);
}

/** What the caller of one gateway call adds to the call's own deadline. */
export interface CallLimits {
  /**
   * Ends the call wherever it is (queued, connecting, sending, reading): the activity's cancellation
   * and its remaining time. Its reason should be a CallAbortedError.
   */
  signal?: AbortSignal;
  /**
   * Unix ms (wall clock) by which the gateway must have the request: pay's send deadline (counted from the
   * payment's start), revoke's window end. The request must not leave the worker later than
   * `arrivalMarginMs` before it: checked before the call, while it is queued, and at the moment undici is
   * about to write it. Once it has left it runs to its deadline.
   */
  sendBy?: number;
  /**
   * How long before `sendBy` the request must leave so that it reaches the gateway in time: the trip
   * to the gateway plus the gap between the worker's clock and the gateway's. 0 when absent.
   */
  arrivalMarginMs?: number;
}

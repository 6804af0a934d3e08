import type { Dispatcher } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import { CallAbortedError, asCallAborted, type CallLimits } from './call-limits';

/**
 * Keeps one call inside its limits (money-rules R5). Its signal, passed to undici, aborts the call
 * wherever it is when the deadline passes or the caller's signal fires, and `sendBy` holds the request
 * back until it leaves. undici only drops an aborted request when it reaches the head of the pool's
 * queue (never writing it), so the caller races the call against `aborted` to hear of the abort at
 * once. `sendBy` is when the gateway must have the request, so it leaves no later than
 * `arrivalMarginMs` before it. `sent` says whether undici started writing the request: the difference between "the gateway
 * may have it" and "it never left this worker".
 */
export class CallGuard {
  private readonly controller = new AbortController();
  private readonly deadlineAt: number;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly aborted: Promise<never>;
  private readonly stopOuter: () => void = () => undefined;
  sent = false;

  constructor(
    private readonly deadlineMs: number,
    private readonly limits: CallLimits = {},
  ) {
    this.deadlineAt = performance.now() + deadlineMs;
    this.aborted = new Promise<never>((_, reject) => {
      this.controller.signal.addEventListener('abort', () => reject(this.controller.signal.reason as Error));
    });
    this.aborted.catch(() => undefined); // observed through race(); never an unhandled rejection
    this.timers.push(setTimeout(() => this.abort(this.deadlinePassed()), deadlineMs));
    const { signal } = limits;
    const leaveBy = this.leaveBy;
    // Past the call's deadline the deadline fires first (and a longer timer would overflow setTimeout).
    if (leaveBy !== undefined && leaveBy - Date.now() < deadlineMs) {
      const holdUntilSent = () => {
        if (!this.sent) this.abort(this.sendByPassed());
      };
      this.timers.push(setTimeout(holdUntilSent, leaveBy - Date.now()));
    }
    if (signal) {
      const onAbort = () => this.abort(asCallAborted(signal.reason));
      signal.addEventListener('abort', onAbort, { once: true });
      this.stopOuter = () => signal.removeEventListener('abort', onAbort);
    }
  }

  /** For undici: aborts the request wherever it is. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Why the call was aborted, if it was. */
  get reason(): CallAbortedError | undefined {
    return this.controller.signal.aborted ? (this.controller.signal.reason as CallAbortedError) : undefined;
  }

  /**
   * Aborts the call if the request must not leave now, and says so. Checked before the call and again
   * at the moment undici is about to write it, against the clocks themselves: a worker paused past a
   * deadline may run the write before the late timer.
   */
  holdBack(): boolean {
    if (!this.controller.signal.aborted) {
      const { signal } = this.limits;
      const leaveBy = this.leaveBy;
      if (signal?.aborted) this.abort(asCallAborted(signal.reason));
      else if (performance.now() >= this.deadlineAt) this.abort(this.deadlinePassed());
      else if (leaveBy !== undefined && Date.now() >= leaveBy) this.abort(this.sendByPassed());
    }
    return this.controller.signal.aborted;
  }

  /** The pool, seen through this call: it tells the guard the moment the request is about to leave. */
  watch(dispatcher: Dispatcher): Dispatcher {
    return dispatcher.compose((dispatch) => (opts, handler) => dispatch(opts, new SendWatch(handler, this)));
  }

  /** `work`, or the abort if that comes first (undici settles a queued request only when it is dequeued). */
  race<T>(work: Promise<T>): Promise<T> {
    work.catch(() => undefined); // the loser's rejection is expected
    return Promise.race([work, this.aborted]);
  }

  /** Stops the timers and the listener: call when the call is over. */
  dispose(): void {
    this.timers.forEach(clearTimeout);
    this.stopOuter();
  }

  private abort(reason: CallAbortedError): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }

  private deadlinePassed(): CallAbortedError {
    return new CallAbortedError('CALL_DEADLINE', `the call's ${this.deadlineMs} ms deadline passed`);
  }

  /** The last moment the request may leave: early enough to reach the gateway by `sendBy`. */
  private get leaveBy(): number | undefined {
    const { sendBy, arrivalMarginMs = 0 } = this.limits;
    return sendBy === undefined ? undefined : sendBy - arrivalMarginMs;
  }

  private sendByPassed(): CallAbortedError {
    const { sendBy = 0, arrivalMarginMs = 0 } = this.limits;
    const at = new Date(sendBy).toISOString();
    return new CallAbortedError(
      'SEND_DEADLINE',
      arrivalMarginMs > 0
        ? `the send deadline passed (${at}, less ${arrivalMarginMs} ms to reach the gateway)`
        : `the send deadline passed (${at})`,
    );
  }
}

/**
 * A handler around undici's own: `onRequestStart` runs just before undici writes the request to the
 * socket, the last moment to hold it back, and the moment it counts as sent.
 */
class SendWatch implements Dispatcher.DispatchHandler {
  constructor(
    private readonly inner: Dispatcher.DispatchHandler,
    private readonly guard: CallGuard,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    const held = this.guard.holdBack();
    // undici's request handler aborts here a request whose signal fired while it was queued.
    this.inner.onRequestStart?.(controller, context);
    if (held && !controller.aborted) controller.abort(this.guard.reason ?? new Error('held back'));
    if (!controller.aborted) this.guard.sent = true;
  }

  onRequestUpgrade(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
    socket: Duplex,
  ): void {
    this.inner.onRequestUpgrade?.(controller, statusCode, headers, socket);
  }

  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: IncomingHttpHeaders,
    statusMessage?: string,
  ): void {
    this.inner.onResponseStart?.(controller, statusCode, headers, statusMessage);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.inner.onResponseData?.(controller, chunk);
  }

  onResponseEnd(controller: Dispatcher.DispatchController, trailers: IncomingHttpHeaders): void {
    this.inner.onResponseEnd?.(controller, trailers);
  }

  onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    this.inner.onResponseError?.(controller, error);
  }
}

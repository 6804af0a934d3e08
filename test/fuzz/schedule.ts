import fc from 'fast-check';
import type {
  ActionStep,
  EchoMismatch,
  ExistingOrder,
  Fault,
  LateArrival,
  OddAnswer,
  PayScenario,
  QueryStep,
  RefundStep,
  Scenario,
  Settle,
  SlowRefund,
  SlowReversal,
} from '../../simulator';
import { SIBLING_TERMINAL_SN, UNLISTED_ERROR_CODE, UPAY_TCP_ORDER_NOT_REFUNDABLE } from '../../simulator';

/** What an operator does to one payment while the schedule runs. */
export interface RevokePlan {
  via: 'signal' | 'update';
  /** early: while the outcome is still unknown; late: once the pay outcome is known. */
  when: 'early' | 'late';
  twice: boolean;
}

/** One refund request of an order (generator 3): started once its payment closed PAID. */
export interface RefundAsk {
  /** Which refund: its refund_request_no is `R<no>`; the same number twice is the same refund started again. */
  no: number;
  /** Fen to give back, or all of the payment. */
  amount: 'all' | number;
  /** When it starts, after the payment's workflow closed: refunds starting together run concurrently. */
  afterMs: number;
}

/** The refunds of one order, and how an operator resolves one that escalates (from the gateway's books). */
export interface RefundPlan {
  asks: RefundAsk[];
  resolveVia: 'signal' | 'update';
}

/** "Money kept, give it back" (generator 4): how much an operator's PAID resolution gives back. */
export interface GiveBackPlan {
  /** Fen, or all of the payment. */
  amount: 'all' | number;
}

export interface PaymentPlan {
  scenario: Scenario;
  revoke?: RevokePlan;
  /** The checkout starts the same order twice at once. */
  duplicateStart: boolean;
  /** Generator 3: refund requests once the payment's workflow has closed PAID (none otherwise). */
  refunds?: RefundPlan;
  /**
   * Generator 4: refund requests of the same day, while the payment's workflow is still open (each
   * tells the payment), started `afterMs` after the checkout was told PAID (none otherwise).
   */
  openRefunds?: RefundPlan;
  /**
   * Generator 4: an operator asks to revoke once the payment shows a refund REFUNDED (it must be
   * REFUSED, nothing sent to the gateway).
   */
  revokeAfterRefund?: { via: 'signal' | 'update' };
  /**
   * Generator 4: an operator who finds the money kept (our order PAID, the whole amount) resolves the
   * escalation PAID with a refund of this much: the payment starts that refund itself.
   */
  giveBack?: GiveBackPlan;
}

/** One generated fault schedule: a few payments run side by side. */
export interface Schedule {
  payments: PaymentPlan[];
}

/**
 * Generator versions. A seed names a schedule only together with its generator, so a seed found by
 * an older generator still replays the schedule that failed (the seed ledger records the version).
 * 1: the friendly gateway (every effect before its answer). 2: 1 plus the unfriendly knobs (issue 14).
 * 3: 2 plus refunds (issue 16) of the payments that close PAID, with the simulator's refund knobs.
 * 4: 3 plus refunds of payments still open (same day, each telling the payment), a revoke asked after
 * such a refund, and operators' "money kept, give it back" resolutions (issue 16 part 3).
 */
export type GeneratorVersion = 1 | 2 | 3 | 4;
/** Every generator version, oldest first. */
export const GENERATORS: readonly GeneratorVersion[] = [1, 2, 3, 4];
/** The default since 2026-12-03 (224 schedules with generator 4's seeds 1–200, 0 violations). */
export const GENERATOR: GeneratorVersion = 4;

/**
 * How long after it was sent the fuzz worker's saga holds a request without an answer in doubt
 * (FUZZ_TIMING.requestDoubtMs in run-schedule.ts). The generator draws delayed effects mostly well
 * inside it and sometimes well beyond it, never on the edge (scheduling lag on a loaded machine).
 */
export const FUZZ_REQUEST_DOUBT_MS = 2_000;
/** Longest effect delay (added latency included) drawn "within doubt": leaves 600 ms for lag. */
export const WITHIN_DOUBT_MAX_MS = 1_400;
/** Delays drawn "beyond doubt": they land after the saga may stop waiting, still inside its day. */
const BEYOND_DOUBT_MS = { min: 2_300, max: 3_200 };
/** Added latency in a payment that has a delayed effect (so "within" stays within). */
const LATENCY_WITH_DELAYS_MAX_MS = 200;

// ---------------------------------------------------------------- version 1 (frozen: ledger seeds replay it)

const answerLost: fc.Arbitrary<Fault> = fc.constantFrom(
  'reset',
  'hang',
  'system-error',
  'maintenance',
  'truncated-json',
  'html-502',
);

const settle: fc.Arbitrary<Settle> = fc.record(
  {
    to: fc.constantFrom('PAID' as const, 'PAY_CANCELED' as const, 'PAY_ERROR' as const),
    afterQueries: fc.integer({ min: 1, max: 5 }),
    afterMs: fc.integer({ min: 100, max: 4_000 }),
  },
  { requiredKeys: ['to'] },
);

const pay: fc.Arbitrary<PayScenario> = fc.oneof(
  fc.constant({}),
  fc.record({
    result: fc.constant('PAY_FAIL' as const),
    errorCode: fc.constantFrom('EXPIRED_BARCODE', 'INSUFFICIENT_FUND'),
  }),
  fc.record(
    {
      result: fc.constantFrom('PAY_IN_PROGRESS' as const, 'PAY_FAIL_IN_PROGRESS' as const, 'PAY_FAIL_ERROR' as const),
      settle,
    },
    { requiredKeys: ['result'] },
  ),
  // The answer is lost after (or before) the gateway acted.
  fc.record(
    {
      fault: answerLost,
      commit: fc.boolean(),
      result: fc.constantFrom('PAY_SUCCESS' as const, 'PAY_IN_PROGRESS' as const),
      settle,
    },
    { requiredKeys: ['fault', 'commit', 'result'] },
  ),
  // Held around the pay read timeout (2 s in the fuzz worker).
  fc.record({ holdMs: fc.integer({ min: 500, max: 3_000 }) }),
);

const queryStep: fc.Arbitrary<QueryStep> = fc.oneof(
  fc.constant('normal' as const),
  fc.record({
    fault: fc.constantFrom('reset' as const, 'system-error' as const, 'truncated-json' as const, 'hang' as const),
  }),
);

const actionStep: fc.Arbitrary<ActionStep> = fc.oneof(
  fc.constant('normal' as const),
  fc.constantFrom(
    'CANCEL_IN_PROGRESS' as const,
    'CANCEL_ERROR' as const,
    'CANCEL_ABORT_ERROR' as const,
    'CANCEL_ABORT_IN_PROGRESS' as const,
  ),
  fc.constant(UPAY_TCP_ORDER_NOT_REFUNDABLE),
  fc.record({ fault: answerLost, commit: fc.boolean() }),
);

const abortTo = fc.constantFrom('PAY_CANCELED' as const, 'CANCELED' as const);
// Delays around the query/cancel read timeouts (1 s in the fuzz worker).
const latencyMs = fc.oneof(
  { arbitrary: fc.constant(0), weight: 3 },
  { arbitrary: fc.integer({ min: 1, max: 1_200 }), weight: 1 },
);
const dayEndsAfterPay = fc.oneof(
  { arbitrary: fc.constant(false), weight: 4 },
  { arbitrary: fc.constant(true), weight: 1 },
);

const scenario: fc.Arbitrary<Scenario> = fc.record(
  {
    pay,
    query: fc.array(queryStep, { maxLength: 3 }),
    cancel: fc.array(actionStep, { maxLength: 4 }),
    revoke: fc.array(actionStep, { maxLength: 3 }),
    abortTo,
    latencyMs,
    dayEndsAfterPay,
  },
  { requiredKeys: ['pay'] },
);

const revokePlan: fc.Arbitrary<RevokePlan> = fc.record({
  via: fc.constantFrom('signal' as const, 'update' as const),
  when: fc.constantFrom('early' as const, 'late' as const),
  twice: fc.boolean(),
});

export const paymentPlan: fc.Arbitrary<PaymentPlan> = fc.record(
  { scenario, revoke: revokePlan, duplicateStart: fc.boolean() },
  { requiredKeys: ['scenario', 'duplicateStart'] },
);

const scheduleV1: fc.Arbitrary<Schedule> = fc.record({
  payments: fc.array(paymentPlan, { minLength: 1, maxLength: 3 }),
});

// ---------------------------------------------------------------- version 2: the unfriendly gateway

/** Whether a payment's delayed effects land inside the saga's doubt window or after it. */
type Doubt = 'within' | 'beyond';

const doubt: fc.Arbitrary<Doubt> = fc.oneof(
  { arbitrary: fc.constant('within' as const), weight: 4 },
  { arbitrary: fc.constant('beyond' as const), weight: 1 },
);

/** How long after its arrival an accepted request lands in the books. */
const effectDelay = (d: Doubt): fc.Arbitrary<number> =>
  d === 'within'
    ? fc.integer({ min: 100, max: WITHIN_DOUBT_MAX_MS - LATENCY_WITH_DELAYS_MAX_MS })
    : fc.integer(BEYOND_DOUBT_MS);

type Operation = 'PAY' | 'QUERY' | 'CANCEL' | 'REVOKE' | 'REFUND';

/** A code the reference lists, but for another operation: unlisted for this one (money-rules R4). */
const OTHER_OPERATIONS_CODE: Record<Operation, string> = {
  PAY: 'UPAY_TCP_ORDER_NOT_REFUNDABLE',
  QUERY: 'EXPIRED_BARCODE',
  CANCEL: 'INSUFFICIENT_FUND',
  REVOKE: 'INSUFFICIENT_FUND',
  REFUND: 'EXPIRED_BARCODE',
};
/** The operation's own failure code, which is definite only with a listed error code. */
const OWN_FAILURE: Record<Operation, string> = {
  PAY: 'PAY_FAIL',
  QUERY: 'FAIL',
  CANCEL: 'CANCEL_ERROR',
  REVOKE: 'CANCEL_ERROR',
  REFUND: 'REFUND_FAIL',
};

/** (g) Codes no document lists for this operation, with or without the operation taking effect. */
const oddAnswer = (op: Operation): fc.Arbitrary<OddAnswer> =>
  fc
    .tuple(
      fc.constantFrom<Omit<OddAnswer, 'commit'>>(
        { resultCode: `${op}_WEIRD` },
        { resultCode: 'FAIL' },
        { resultCode: 'FAIL', errorCode: UNLISTED_ERROR_CODE },
        { resultCode: 'FAIL', errorCode: OTHER_OPERATIONS_CODE[op] },
        { resultCode: OWN_FAILURE[op], errorCode: UNLISTED_ERROR_CODE },
        { resultCode: '503', errorCode: UNLISTED_ERROR_CODE, topLevel: true },
        { resultCode: '400', errorCode: UNLISTED_ERROR_CODE, topLevel: true },
      ),
      fc.boolean(),
    )
    .map(([answer, commit]) => ({ ...answer, commit }));

/** (c) A late pay: its answer is lost, it reaches the books later (and then as its result says). */
const latePay = (d: Doubt): fc.Arbitrary<PayScenario> =>
  fc.record(
    {
      lateMs: effectDelay(d),
      fault: answerLost,
      result: fc.constantFrom('PAY_SUCCESS' as const, 'PAY_IN_PROGRESS' as const, 'PAY_FAIL' as const),
      settle,
    },
    { requiredKeys: ['lateMs'] },
  );

const payV2 = (d: Doubt): fc.Arbitrary<PayScenario> =>
  fc.oneof(
    { arbitrary: pay, weight: 6 },
    { arbitrary: latePay(d), weight: 1 },
    {
      arbitrary: fc.record(
        {
          odd: oddAnswer('PAY'),
          result: fc.constantFrom('PAY_SUCCESS' as const, 'PAY_IN_PROGRESS' as const),
          settle,
        },
        { requiredKeys: ['odd'] },
      ),
      weight: 1,
    },
  );

const queryStepV2: fc.Arbitrary<QueryStep> = fc.oneof(
  { arbitrary: queryStep, weight: 4 },
  { arbitrary: oddAnswer('QUERY').map((odd) => ({ odd })), weight: 1 },
);

/**
 * (a) A slow reversal: accepted now, lands later (or at once), answered in progress / success / lost,
 * PAID or CANCEL_INPROGRESS meanwhile; (b) other reversals meanwhile in progress, refused, or run;
 * (d) on a cancel, the customer pays just before it is processed.
 */
const slowReversal = (d: Doubt, op: 'cancel' | 'revoke'): fc.Arbitrary<SlowReversal> =>
  fc.record(
    {
      effectAfterMs: fc.oneof({ arbitrary: fc.constant(0), weight: 1 }, { arbitrary: effectDelay(d), weight: 3 }),
      meanwhile: fc.constantFrom('unchanged' as const, 'CANCEL_INPROGRESS' as const),
      reply: fc.oneof(fc.constantFrom('in-progress' as const, 'success' as const), answerLost),
      othersMeanwhile: fc.constantFrom(
        'in-progress' as const,
        'invalid-state' as const,
        'not-refundable' as const,
        'normal' as const,
      ),
      ...(op === 'cancel' ? { paidFirst: fc.boolean() } : {}),
    },
    { requiredKeys: ['effectAfterMs'] },
  );

/** (c) A late cancel or revoke: its answer is lost now, it runs later on whatever it finds. */
const lateReversal = (d: Doubt): fc.Arbitrary<LateArrival> =>
  fc.record({ lateMs: effectDelay(d), fault: answerLost }, { requiredKeys: ['lateMs'] });

const actionStepV2 = (d: Doubt, op: 'cancel' | 'revoke'): fc.Arbitrary<ActionStep> =>
  fc.oneof(
    { arbitrary: actionStep, weight: 5 },
    { arbitrary: slowReversal(d, op), weight: 2 },
    { arbitrary: lateReversal(d), weight: 1 },
    { arbitrary: oddAnswer(op === 'cancel' ? 'CANCEL' : 'REVOKE').map((odd) => ({ odd })), weight: 1 },
  );

/** Amounts that are never the fuzz payments' own (1 000 fen plus the client_sn's length). */
const OTHER_AMOUNTS = ['1', '500', '2000'] as const;

/**
 * (e) client_sn unique per merchant: someone else's order holds it already, on a sibling terminal or
 * this one, of another amount or the same (then it is indistinguishable from ours: R1 adopts it).
 */
const existingOrder: fc.Arbitrary<ExistingOrder> = fc.record(
  {
    sameTerminal: fc.boolean(),
    totalAmount: fc.constantFrom(...OTHER_AMOUNTS),
    status: fc.constantFrom('PAID' as const, 'CREATED' as const, 'PAY_CANCELED' as const),
    settle,
  },
  { requiredKeys: ['status'] },
);

/** (f) Answers on this order name another amount, terminal or client_sn (the books keep the truth). */
const echoMismatch: fc.Arbitrary<EchoMismatch> = fc
  .tuple(
    fc.option(fc.subarray(['pay', 'query', 'cancel', 'revoke'] as const, { minLength: 1 }), { nil: undefined }),
    fc.constantFrom<EchoMismatch>(
      { totalAmount: OTHER_AMOUNTS[0] },
      { terminalSn: SIBLING_TERMINAL_SN },
      { clientSn: 'sim-another-client-sn' },
    ),
  )
  .map(([endpoints, field]) => (endpoints ? { endpoints: [...endpoints], ...field } : field));

const sometimes = <T>(arb: fc.Arbitrary<T>, oneIn: number): fc.Arbitrary<T | undefined> =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: oneIn - 1 }, { arbitrary: arb, weight: 1 });

/** Anything at all: version 1's behaviours and every unfriendly knob, each drawn on its own. */
const mixedScenario = (d: Doubt) =>
  fc.record({
    pay: payV2(d),
    query: fc.array(queryStepV2, { maxLength: 3 }),
    cancel: fc.array(actionStepV2(d, 'cancel'), { maxLength: 4 }),
    revoke: fc.array(actionStepV2(d, 'revoke'), { maxLength: 3 }),
    abortTo,
    latencyMs,
    dayEndsAfterPay,
    existingOrder: sometimes(existingOrder, 8),
    echoMismatch: sometimes(echoMismatch, 10),
  });

/** Settles only after the confirm window (1.5 s in the fuzz worker), or never. */
const lateSettle: fc.Arbitrary<Settle> = fc.record(
  {
    to: fc.constantFrom('PAID' as const, 'PAY_CANCELED' as const, 'PAY_ERROR' as const),
    afterMs: fc.integer({ min: 2_000, max: 6_000 }),
  },
  { requiredKeys: ['to'] },
);

/** A pay whose outcome the confirm window does not learn, so the saga compensates (冲正). */
const payUnconfirmed = (d: Doubt): fc.Arbitrary<PayScenario> =>
  fc.oneof(
    fc.record(
      { result: fc.constantFrom('PAY_IN_PROGRESS' as const, 'PAY_FAIL_IN_PROGRESS' as const), settle: lateSettle },
      { requiredKeys: ['result'] },
    ),
    fc.record(
      {
        fault: answerLost,
        commit: fc.constant(true),
        result: fc.constant('PAY_IN_PROGRESS' as const),
        settle: lateSettle,
      },
      { requiredKeys: ['fault', 'commit', 'result'] },
    ),
    fc.record(
      { odd: oddAnswer('PAY'), result: fc.constant('PAY_IN_PROGRESS' as const), settle: lateSettle },
      { requiredKeys: ['odd', 'result'] },
    ),
    latePay(d),
  );

/** A pay that succeeds (its answer may be odd or lost), so an operator's revoke runs. */
const payPaid: fc.Arbitrary<PayScenario> = fc.oneof(
  { arbitrary: fc.constant({}), weight: 3 },
  {
    arbitrary: fc.record({ fault: answerLost, commit: fc.constant(true), result: fc.constant('PAY_SUCCESS' as const) }),
    weight: 1,
  },
  {
    arbitrary: oddAnswer('PAY').map((odd): PayScenario => ({ odd: { ...odd, commit: true }, result: 'PAY_SUCCESS' })),
    weight: 1,
  },
);

/** A reversal step, mostly an unfriendly one. */
const reversalStep = (d: Doubt, op: 'cancel' | 'revoke'): fc.Arbitrary<ActionStep> =>
  fc.oneof(
    { arbitrary: slowReversal(d, op), weight: 3 },
    { arbitrary: lateReversal(d), weight: 1 },
    { arbitrary: oddAnswer(op === 'cancel' ? 'CANCEL' : 'REVOKE').map((odd) => ({ odd })), weight: 1 },
    { arbitrary: actionStep, weight: 1 },
  );

/** The saga compensates against slow, late, odd and paid-as-it-arrives cancels. */
const compensateScenario = (d: Doubt) =>
  fc.record({
    pay: payUnconfirmed(d),
    query: fc.array(queryStepV2, { maxLength: 2 }),
    cancel: fc.array(reversalStep(d, 'cancel'), { minLength: 1, maxLength: 4 }),
    abortTo,
    latencyMs,
  });

/** An operator's revoke meets slow, late, odd and refused-meanwhile revokes. */
const revokeScenario = (d: Doubt) =>
  fc.record({
    pay: payPaid,
    query: fc.array(queryStepV2, { maxLength: 2 }),
    revoke: fc.array(reversalStep(d, 'revoke'), { minLength: 1, maxLength: 3 }),
    latencyMs,
    dayEndsAfterPay,
  });

/** Someone else's order under the client_sn, or answers that describe another order (R1). */
const anotherOrderScenario = (d: Doubt) =>
  fc
    .tuple(
      fc.record({
        pay: fc.oneof(pay, payUnconfirmed(d)),
        query: fc.array(queryStepV2, { maxLength: 2 }),
        cancel: fc.array(actionStepV2(d, 'cancel'), { maxLength: 3 }),
        revoke: fc.array(actionStepV2(d, 'revoke'), { maxLength: 2 }),
      }),
      fc.oneof(
        existingOrder.map((e): Scenario => ({ existingOrder: e })),
        echoMismatch.map((m): Scenario => ({ echoMismatch: m })),
      ),
    )
    .map(([scenario, other]) => ({ ...scenario, ...other }));

/**
 * Keeps a drawn scenario meaningful: no empty lists or absent knobs in the JSON; little added latency
 * beside a delayed effect (so "within doubt" stays within); one "another order" knob at a time, and none
 * placed by a late pay (an existing order is there before our pay, but the simulator places it when our
 * pay is processed, which a late pay would put after our queries began).
 */
function tidy(drawn: Partial<Record<keyof Scenario, unknown>>): Scenario {
  const s: Scenario = {};
  for (const [key, value] of Object.entries(drawn) as [keyof Scenario, unknown][]) {
    if (value === undefined || (Array.isArray(value) && value.length === 0)) continue;
    (s as Record<string, unknown>)[key] = value;
  }
  if (s.existingOrder && (s.pay?.lateMs !== undefined || s.echoMismatch)) delete s.existingOrder;
  if (effectDelaysOf(s).length > 0 && (s.latencyMs ?? 0) > LATENCY_WITH_DELAYS_MAX_MS) {
    s.latencyMs = LATENCY_WITH_DELAYS_MAX_MS;
  }
  if (s.latencyMs === 0) delete s.latencyMs;
  if (s.dayEndsAfterPay === false) delete s.dayEndsAfterPay;
  return s;
}

/**
 * A payment of version 2: first what it is about (anything; a compensation; an operator's revoke; another
 * order), then whether its delayed effects land within the saga's doubt window or beyond it.
 */
const paymentPlanV2: fc.Arbitrary<PaymentPlan> = fc
  .tuple(
    fc.oneof(
      { arbitrary: fc.constant('mixed' as const), weight: 3 },
      { arbitrary: fc.constant('compensate' as const), weight: 3 },
      { arbitrary: fc.constant('revoke' as const), weight: 3 },
      { arbitrary: fc.constant('another order' as const), weight: 1 },
    ),
    doubt,
  )
  .chain(([theme, d]) => {
    const duplicateStart = fc.boolean();
    switch (theme) {
      case 'mixed':
        return fc.record(
          { scenario: mixedScenario(d).map(tidy), revoke: revokePlan, duplicateStart },
          { requiredKeys: ['scenario', 'duplicateStart'] },
        );
      case 'compensate':
        return fc.record(
          { scenario: compensateScenario(d).map(tidy), revoke: revokePlan, duplicateStart },
          { requiredKeys: ['scenario', 'duplicateStart'] },
        );
      case 'revoke':
        return fc.record({ scenario: revokeScenario(d).map(tidy), revoke: revokePlan, duplicateStart });
      case 'another order':
        return fc.record(
          { scenario: anotherOrderScenario(d).map(tidy), revoke: revokePlan, duplicateStart },
          { requiredKeys: ['scenario', 'duplicateStart'] },
        );
    }
  });

const scheduleV2: fc.Arbitrary<Schedule> = fc.record({
  payments: fc.array(paymentPlanV2, { minLength: 1, maxLength: 3 }),
});

// ---------------------------------------------------------------- version 3: refunds (issue 16)

/**
 * Refund answers lost: every fault but `hang`. The fuzz worker's refund call deadline is the production
 * 35 s (test/helpers/gateway-timeouts.ts sets none for refund), so a hung refund answer would cost a
 * schedule half a minute per attempt; a reset or a garbled answer is the same "unknown" to the saga.
 */
const refundAnswerLost = fc.constantFrom(
  'reset' as const,
  'system-error' as const,
  'maintenance' as const,
  'truncated-json' as const,
  'html-502' as const,
);

/**
 * Refund effects land within the refund's doubt window (fuzz refund timing `requestDoubtMs` 2 s), never
 * beyond it: a refund answered REFUSED (or escalated) while one of its attempts still lands later is
 * what money-rules R5 says a real gateway cannot do, and the payment's fuzz already covers "beyond".
 */
const refundDelay = fc.integer({ min: 100, max: WITHIN_DOUBT_MAX_MS - LATENCY_WITH_DELAYS_MAX_MS });

/**
 * A slow refund (lands or fails later, in progress / REFUND_ERROR meanwhile, answered in progress,
 * success, error or lost). Never `reply: "success"` with `outcome: "failed"` (nor the default success
 * of an immediate one with failed): an answer that lies about the money, which simulator/README.md
 * says a fuzzer checking "reported done ⇔ the gateway holds it" should not draw.
 */
const slowRefund: fc.Arbitrary<SlowRefund> = fc
  .record(
    {
      effectAfterMs: fc.oneof({ arbitrary: fc.constant(0), weight: 1 }, { arbitrary: refundDelay, weight: 3 }),
      meanwhile: fc.constantFrom('unchanged' as const, 'REFUND_INPROGRESS' as const, 'REFUND_ERROR' as const),
      reply: fc.oneof(fc.constantFrom('in-progress' as const, 'success' as const, 'error' as const), refundAnswerLost),
      outcome: fc.constantFrom('refunded' as const, 'failed' as const),
    },
    { requiredKeys: ['effectAfterMs'] },
  )
  .map((slow) => {
    const reply = slow.reply ?? (slow.effectAfterMs ? 'in-progress' : 'success');
    if (reply !== 'success' || slow.outcome !== 'failed') return slow;
    const honest = { ...slow };
    delete honest.outcome;
    return honest;
  });

/** One refund call's answer: normal, forced, lost, odd, late, held, or slow. */
const refundStep: fc.Arbitrary<RefundStep> = fc.oneof(
  { arbitrary: fc.constant('normal' as const), weight: 2 },
  {
    arbitrary: fc.oneof(
      fc.constantFrom('REFUND_IN_PROGRESS' as const, 'REFUND_ERROR' as const, 'REFUND_FAIL' as const),
      fc.record({
        answer: fc.constant('REFUND_FAIL' as const),
        errorCode: fc.constantFrom('REFUNDABLE_AMOUNT_NOT_ENOUGH', 'UPAY_REFUND_INVALID_ORDER_STATE'),
      }),
    ),
    weight: 2,
  },
  { arbitrary: fc.record({ fault: refundAnswerLost, commit: fc.boolean() }), weight: 2 },
  { arbitrary: oddAnswer('REFUND').map((odd) => ({ odd })), weight: 1 },
  { arbitrary: fc.record({ lateMs: refundDelay, fault: refundAnswerLost }), weight: 1 },
  { arbitrary: fc.record({ holdMs: fc.integer({ min: 100, max: 1_200 }) }), weight: 1 },
  { arbitrary: slowRefund, weight: 3 },
);

/** The refund knobs of an order: one step per refund call (whichever refund makes it), then normal. */
const refundKnobs = fc.record(
  {
    refund: fc.array(refundStep, { minLength: 1, maxLength: 4 }),
    refundRepeat: fc.constantFrom('echo' as const, 'noop' as const),
  },
  { requiredKeys: ['refund'] },
);

const refundAmount: fc.Arbitrary<'all' | number> = fc.oneof(
  { arbitrary: fc.constant('all' as const), weight: 1 },
  { arbitrary: fc.integer({ min: 1, max: 600 }), weight: 3 },
);
/** Together (concurrent) or a little apart. */
const refundStartMs = fc.oneof(
  { arbitrary: fc.constant(0), weight: 2 },
  { arbitrary: fc.integer({ min: 1, max: 2_000 }), weight: 2 },
);

/** One to three refunds of an order, partial or full, and up to two repeats of one (the same number). */
const refundPlan: fc.Arbitrary<RefundPlan> = fc
  .record({
    distinct: fc.array(fc.record({ amount: refundAmount, afterMs: refundStartMs }), { minLength: 1, maxLength: 3 }),
    repeats: fc.array(fc.record({ of: fc.nat(2), afterMs: refundStartMs }), { maxLength: 2 }),
    resolveVia: fc.constantFrom('signal' as const, 'update' as const),
  })
  .map(({ distinct, repeats, resolveVia }) => ({
    asks: [
      ...distinct.map((d, no) => ({ no, ...d })),
      ...repeats.map((r) => {
        const no = r.of % distinct.length;
        return { no, amount: distinct[no]!.amount, afterMs: r.afterMs };
      }),
    ],
    resolveVia,
  }));

/** A payment meant to end PAID and be refunded: a successful pay (its answer may be odd or lost), no revoke. */
const refundScenario = fc.record({
  pay: payPaid,
  query: fc.array(queryStepV2, { maxLength: 2 }),
  latencyMs,
  dayEndsAfterPay,
});

/**
 * A payment of version 3: one of version 2's (its refunds run only if it ends PAID), or one meant to
 * be refunded; either way with refund knobs and a refund plan.
 */
const paymentPlanV3: fc.Arbitrary<PaymentPlan> = fc
  .tuple(
    fc.oneof(
      { arbitrary: paymentPlanV2, weight: 1 },
      {
        arbitrary: fc.record({ scenario: refundScenario.map(tidy), duplicateStart: fc.boolean() }),
        weight: 2,
      },
    ),
    refundKnobs,
    refundPlan,
  )
  .map(([plan, knobs, refunds]) => ({ ...plan, scenario: tidy({ ...plan.scenario, ...knobs }), refunds }));

const scheduleV3: fc.Arbitrary<Schedule> = fc.record({
  payments: fc.array(paymentPlanV3, { minLength: 1, maxLength: 3 }),
});

// ---------------------------------------------------------------- version 4: the payment knows its refunds

/**
 * Refund knobs for a refund the payment starts itself ("give it back"). That refund runs on production
 * refund timing (a resolution carries no timing: retries 5 s doubling, doubt 60 s), so its knobs are
 * those that settle within seconds there: one or two in-doubt or slow steps whose refund lands or not
 * (then the next attempt, the same number, runs), or a definite refusal as the first and only step. A
 * refusal after an attempt in doubt waits out 60 s of doubt before a person is asked: covered by
 * generator 3 on fuzz timing.
 */
const gentleRefundStep: fc.Arbitrary<RefundStep> = fc.oneof(
  { arbitrary: fc.constant('normal' as const), weight: 2 },
  { arbitrary: fc.constantFrom('REFUND_IN_PROGRESS' as const, 'REFUND_ERROR' as const), weight: 1 },
  { arbitrary: fc.record({ fault: refundAnswerLost, commit: fc.boolean() }), weight: 2 },
  { arbitrary: oddAnswer('REFUND').map((odd) => ({ odd })), weight: 1 },
  { arbitrary: fc.record({ lateMs: refundDelay, fault: refundAnswerLost }), weight: 1 },
  { arbitrary: fc.record({ holdMs: fc.integer({ min: 100, max: 1_200 }) }), weight: 1 },
  { arbitrary: slowRefund.filter((slow) => slow.outcome !== 'failed'), weight: 2 },
);

const gentleRefundKnobs = fc.record(
  {
    refund: fc.oneof(
      { arbitrary: fc.array(gentleRefundStep, { minLength: 1, maxLength: 2 }), weight: 5 },
      {
        arbitrary: fc
          .constantFrom('REFUNDABLE_AMOUNT_NOT_ENOUGH', 'UPAY_REFUND_INVALID_ORDER_STATE')
          .map((errorCode): RefundStep[] => [{ answer: 'REFUND_FAIL', errorCode }]),
        weight: 1,
      },
    ),
    refundRepeat: fc.constantFrom('echo' as const, 'noop' as const),
  },
  { requiredKeys: ['refund'] },
);

const giveBack: fc.Arbitrary<GiveBackPlan> = fc.record({
  amount: fc.oneof(
    { arbitrary: fc.constant('all' as const), weight: 3 },
    { arbitrary: fc.integer({ min: 1, max: 600 }), weight: 1 },
  ),
});

/**
 * The customer was charged and the cancel refused: the pay's answer is lost after it took the money,
 * the confirm window's queries hang past it (1 s read timeout each, window 1.5 s), the cancel is refused
 * as not refundable, and the saga asks a person with the money kept: "give it back".
 */
const giveBackScenario = fc.record({
  pay: refundAnswerLost.map((fault): PayScenario => ({ fault, commit: true, result: 'PAY_SUCCESS' })),
  query: fc.integer({ min: 2, max: 3 }).map((n) => Array.from({ length: n }, (): QueryStep => ({ fault: 'hang' }))),
  cancel: fc.array(fc.constant(UPAY_TCP_ORDER_NOT_REFUNDABLE), { minLength: 1, maxLength: 3 }),
  latencyMs,
});

/** Same-day refunds of an open payment: as generator 3's, started 0–2 s after the checkout was told PAID. */
const openRefundPlan = refundPlan;

/**
 * A payment of version 4: one of version 3's; one refunded the same day while its workflow is open
 * (sometimes then revoked, sometimes refunded again after its close); one whose cancel is refused and
 * whose money an operator gives back; or one of version 2's whose escalations are resolved by giving
 * the money back when the books show it kept.
 */
const paymentPlanV4: fc.Arbitrary<PaymentPlan> = fc
  .constantFrom(
    'closed' as const,
    'closed' as const,
    'open' as const,
    'open' as const,
    'give back' as const,
    'v2 give back' as const,
  )
  .chain((theme): fc.Arbitrary<PaymentPlan> => {
    switch (theme) {
      case 'closed':
        return paymentPlanV3;
      case 'open':
        return fc
          .record({
            scenario: refundScenario,
            knobs: refundKnobs,
            duplicateStart: fc.boolean(),
            openRefunds: openRefundPlan,
            revokeAfterRefund: sometimes(fc.record({ via: fc.constantFrom('signal' as const, 'update' as const) }), 2),
            refunds: sometimes(refundPlan, 3),
          })
          .map(({ scenario, knobs, revokeAfterRefund, refunds, ...plan }) => ({
            ...plan,
            scenario: tidy({ ...scenario, ...knobs }),
            ...(revokeAfterRefund ? { revokeAfterRefund } : {}),
            ...(refunds ? { refunds } : {}),
          }));
      case 'give back':
        return fc
          .record({ scenario: giveBackScenario, knobs: gentleRefundKnobs, duplicateStart: fc.boolean(), giveBack })
          .map(({ scenario, knobs, ...plan }) => ({ ...plan, scenario: tidy({ ...scenario, ...knobs }) }));
      case 'v2 give back':
        return fc
          .tuple(paymentPlanV2, gentleRefundKnobs, giveBack)
          .map(([plan, knobs, back]) => ({ ...plan, scenario: tidy({ ...plan.scenario, ...knobs }), giveBack: back }));
    }
  });

const scheduleV4: fc.Arbitrary<Schedule> = fc.record({
  payments: fc.array(paymentPlanV4, { minLength: 1, maxLength: 3 }),
});

export const schedules: Record<GeneratorVersion, fc.Arbitrary<Schedule>> = {
  1: scheduleV1,
  2: scheduleV2,
  3: scheduleV3,
  4: scheduleV4,
};
/** The current generator's schedules. */
export const schedule = schedules[GENERATOR];

/** Schedule number `seed` of a generator: the same pair always gives the same schedule (the seed ledger relies on it). */
export function scheduleOf(seed: number, generator: GeneratorVersion = GENERATOR): Schedule {
  const [one] = fc.sample(schedules[generator], { seed, numRuns: 1 });
  return one!;
}

// ---------------------------------------------------------------- reading a plan

/**
 * Every delay between a request's arrival and its effect in the books that the scenario asks for,
 * each with the scenario's added latency (which comes first): a late pay, and each late or slow
 * cancel/revoke step.
 */
export function effectDelaysOf(s: Scenario): number[] {
  const latency = s.latencyMs ?? 0;
  const delays: number[] = [];
  if (s.pay?.lateMs !== undefined) delays.push(s.pay.lateMs);
  for (const step of [...(s.cancel ?? []), ...(s.revoke ?? []), ...(s.refund ?? [])]) {
    if (typeof step !== 'object') continue;
    if ('lateMs' in step) delays.push(step.lateMs);
    else if ('effectAfterMs' in step && step.effectAfterMs) delays.push(step.effectAfterMs);
    else if ('holdMs' in step) delays.push(step.holdMs);
  }
  return delays.map((d) => d + latency);
}

/**
 * A payment whose gateway may act later than the saga's doubt window allows (money-rules R5 says a
 * real one cannot): its books are judged as the saga last saw them when an effect landed later.
 */
export function beyondDoubt(plan: PaymentPlan, doubtMs = FUZZ_REQUEST_DOUBT_MS): boolean {
  return effectDelaysOf(plan.scenario).some((d) => d > doubtMs);
}

/** The unfriendly knobs a payment's scenario uses, by name (for the fuzz summary). */
export function knobsOf(plan: PaymentPlan): string[] {
  const s = plan.scenario;
  const knobs = new Set<string>();
  if (s.pay?.lateMs !== undefined) knobs.add('late pay');
  if (s.pay?.odd) knobs.add('unlisted code: pay');
  if (s.query?.some((q) => typeof q === 'object' && 'odd' in q)) knobs.add('unlisted code: query');
  for (const op of ['cancel', 'revoke'] as const) {
    for (const step of s[op] ?? []) {
      if (typeof step !== 'object') continue;
      if ('odd' in step) knobs.add(`unlisted code: ${op}`);
      else if ('lateMs' in step) knobs.add(`late ${op}`);
      else if (!('fault' in step) && !('answer' in step)) {
        knobs.add(step.effectAfterMs ? `slow ${op}` : `${op} at once (slow-reversal knobs)`);
        if (step.meanwhile === 'CANCEL_INPROGRESS') knobs.add('CANCEL_INPROGRESS meanwhile');
        if (step.othersMeanwhile === 'invalid-state' || step.othersMeanwhile === 'not-refundable')
          knobs.add('refusals while a reversal is pending');
        if (step.paidFirst) knobs.add('customer pays as the cancel arrives');
      }
    }
  }
  if (s.existingOrder) knobs.add('existing order under the client_sn');
  if (s.echoMismatch) knobs.add('answers echo another order');
  for (const step of s.refund ?? []) knobs.add(refundKnobOf(step));
  if (s.refundRepeat === 'noop') knobs.add('refund repeat answered NOOP');
  if (effectDelaysOf(s).length > 0) knobs.add(beyondDoubt(plan) ? 'effect beyond doubt' : 'effect within doubt');
  if (plan.openRefunds) knobs.add('refunds of the open payment');
  if (plan.revokeAfterRefund) knobs.add('revoke asked after a refund');
  if (plan.giveBack) knobs.add(`give back ${plan.giveBack.amount === 'all' ? 'all' : 'part'} when kept`);
  return [...knobs];
}

/** The name of a refund step's knob (for the fuzz summary). */
function refundKnobOf(step: RefundStep): string {
  if (step === 'normal') return 'refund: normal';
  if (typeof step === 'string') return `refund: forced ${step}`;
  if ('answer' in step) return `refund: forced ${step.answer} ${step.errorCode ?? ''}`.trim();
  if ('odd' in step) return 'unlisted code: refund';
  if ('lateMs' in step) return 'late refund';
  if ('holdMs' in step) return 'held refund';
  if ('fault' in step) return `refund answer lost (${step.commit === false ? 'not done' : 'done'})`;
  const meanwhile = step.meanwhile && step.meanwhile !== 'unchanged' ? `, ${step.meanwhile} meanwhile` : '';
  return `${step.effectAfterMs ? 'slow refund' : 'refund at once (slow-refund knobs)'}${meanwhile}`;
}

/** How many faults a schedule injects: lost/garbled/odd answers, forced answers, holds, delays, day ends, other orders. */
export function faultCount(s: Schedule): number {
  let n = 0;
  for (const { scenario: sc } of s.payments) {
    const p = sc.pay;
    if (p?.fault || p?.holdMs || p?.lateMs !== undefined || p?.odd || (p?.result && p.result !== 'PAY_SUCCESS')) n += 1;
    n += (sc.query ?? []).filter((q) => q !== 'normal').length;
    n += [...(sc.cancel ?? []), ...(sc.revoke ?? [])].filter((a) => a !== 'normal').length;
    if (sc.latencyMs) n += 1;
    if (sc.dayEndsAfterPay) n += 1;
    if (sc.existingOrder) n += 1;
    if (sc.echoMismatch) n += 1;
    n += (sc.refund ?? []).filter((r) => r !== 'normal').length;
    if (sc.refundRepeat === 'noop') n += 1;
  }
  return n;
}

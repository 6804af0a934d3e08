import fc from 'fast-check';
import type { ActionStep, Fault, PayScenario, QueryStep, Scenario, Settle } from '../../simulator';
import { UPAY_TCP_ORDER_NOT_REFUNDABLE } from '../../simulator';

/** What an operator does to one payment while the schedule runs. */
export interface RevokePlan {
  via: 'signal' | 'update';
  /** early: while the outcome is still unknown; late: once the pay outcome is known. */
  when: 'early' | 'late';
  twice: boolean;
}

export interface PaymentPlan {
  scenario: Scenario;
  revoke?: RevokePlan;
  /** The checkout starts the same order twice at once. */
  duplicateStart: boolean;
}

/** One generated fault schedule: a few payments run side by side. */
export interface Schedule {
  payments: PaymentPlan[];
}

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

const scenario: fc.Arbitrary<Scenario> = fc.record(
  {
    pay,
    query: fc.array(queryStep, { maxLength: 3 }),
    cancel: fc.array(actionStep, { maxLength: 4 }),
    revoke: fc.array(actionStep, { maxLength: 3 }),
    abortTo: fc.constantFrom('PAY_CANCELED' as const, 'CANCELED' as const),
    // Delays around the query/cancel read timeouts (1 s in the fuzz worker).
    latencyMs: fc.oneof(
      { arbitrary: fc.constant(0), weight: 3 },
      { arbitrary: fc.integer({ min: 1, max: 1_200 }), weight: 1 },
    ),
    dayEndsAfterPay: fc.oneof(
      { arbitrary: fc.constant(false), weight: 4 },
      { arbitrary: fc.constant(true), weight: 1 },
    ),
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

export const schedule: fc.Arbitrary<Schedule> = fc.record({
  payments: fc.array(paymentPlan, { minLength: 1, maxLength: 3 }),
});

/** Schedule number `seed`: the same seed always gives the same schedule (the seed ledger relies on it). */
export function scheduleOf(seed: number): Schedule {
  const [one] = fc.sample(schedule, { seed, numRuns: 1 });
  return one!;
}

/** How many faults a schedule injects: lost/garbled answers, forced answers, holds, delays, day ends. */
export function faultCount(s: Schedule): number {
  let n = 0;
  for (const { scenario: sc } of s.payments) {
    if (sc.pay?.fault || sc.pay?.holdMs || (sc.pay?.result && sc.pay.result !== 'PAY_SUCCESS')) n += 1;
    n += (sc.query ?? []).filter((q) => q !== 'normal').length;
    n += [...(sc.cancel ?? []), ...(sc.revoke ?? [])].filter((a) => a !== 'normal').length;
    if (sc.latencyMs) n += 1;
    if (sc.dayEndsAfterPay) n += 1;
  }
  return n;
}

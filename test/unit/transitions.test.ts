import { readFileSync } from 'node:fs';
import { README, stateDiagram, withDiagram } from '../../scripts/docs/state-diagram';
import { nextHoldStep, type HoldView } from '../../workflows/decisions';
import { SagaState } from '../../workflows/saga-state';
import { resolveTiming } from '../../workflows/timing';
import {
  IllegalTransitionError,
  REVOKE_TRANSITIONS,
  STATE_TRANSITIONS,
  findTransition,
  type SagaRules,
  type TransitionWhy,
} from '../../workflows/transitions';
import type { PaymentRequest, PaymentState, PaymentStatus, RevokeStatus } from '../../workflows/types';

const REQUEST: PaymentRequest = {
  terminalSn: 'T1',
  clientSn: 'C1',
  amountFen: 100,
  dynamicId: '130818341921441147',
  subject: 'coffee',
  operator: 'cashier',
};
const STATES: PaymentState[] = [
  'PAYING',
  'CONFIRMING',
  'PAID',
  'FAILED',
  'CANCELING',
  'CANCELED',
  'REVOKING',
  'REVOKED',
  'NEEDS_ATTENTION',
  'REFUNDED',
  'PARTIAL_REFUNDED',
  'SETTLED_OUTSIDE',
];

/** A SagaState outside a workflow: search attributes go to a list instead of Temporal. */
function sagaIn(state: PaymentState, rules: SagaRules = 'money-rules') {
  const published: PaymentState[] = [];
  const saga = new SagaState(REQUEST, resolveTiming(undefined, 0), 0, rules, (s: PaymentStatus) =>
    published.push(s.state),
  );
  saga.status.state = state;
  return { saga, published };
}

describe('the state table (workflows/transitions.ts)', () => {
  it.each(STATE_TRANSITIONS.map((t) => [t.from, t.to, t.why, 'legacy' in t] as const))(
    '%s → %s: %s',
    (from, to, why, legacy) => {
      const { saga, published } = sagaIn(from, legacy ? 'legacy' : 'money-rules');
      saga.move(to, why);
      expect(saga.state).toBe(to);
      expect(published).toEqual([to]); // the Web UI's PaymentState follows every move
    },
  );

  it('refuses every move that is not a row, and leaves the state as it was', () => {
    const reasons = [...new Set(STATE_TRANSITIONS.map((t) => t.why))] as TransitionWhy[];
    let refused = 0;
    for (const from of STATES)
      for (const to of STATES)
        for (const why of reasons) {
          if (findTransition(from, to, why)) continue;
          const { saga, published } = sagaIn(from);
          expect(() => saga.move(to, why)).toThrow(IllegalTransitionError);
          expect(saga.state).toBe(from);
          expect(published).toEqual([]);
          refused++;
        }
    expect(refused).toBeGreaterThan(1000);
  });

  it('refuses a legacy row to a payment under the money rules (R2: never PAID from compensation)', () => {
    const why = 'cancel-check query: PAID, no reversal underway';
    expect(() => sagaIn('CANCELING').saga.move('PAID', why)).toThrow(IllegalTransitionError);
    expect(() => sagaIn('CANCELING', 'legacy').saga.move('PAID', why)).not.toThrow();
  });

  it('names the move it refused', () => {
    expect(() => sagaIn('FAILED').saga.move('PAID', 'pay succeeded')).toThrow(
      'illegal transition: FAILED → PAID (pay succeeded)',
    );
  });

  it('arms the check at close only on the rows marked so (a late PAID, any resolution)', () => {
    const late = sagaIn('CANCELING', 'legacy').saga;
    late.move('PAID', 'cancel-check query: PAID, no reversal underway');
    expect(late.closeCheckNeeded).toBe(true);
    late.closeCheckDone();
    expect(late.closeCheckNeeded).toBe(false);

    const onTime = sagaIn('CONFIRMING').saga;
    onTime.move('PAID', 'confirm query: PAID');
    expect(onTime.closeCheckNeeded).toBe(false);

    const resolved = sagaIn('NEEDS_ATTENTION').saga;
    resolved.requestResolve({ operator: 'ops', resolution: 'FAILED', note: 'never settled' });
    resolved.applyResolution();
    expect(resolved.state).toBe('FAILED');
    expect(resolved.status.resolution).toMatchObject({ operator: 'ops', resolution: 'FAILED' });
    expect(resolved.closeCheckNeeded).toBe(true);
  });

  it('escalates with the reason an operator reads', () => {
    const { saga } = sagaIn('CANCELING');
    saga.escalate('cancel refused, order refunded, or cancel deadline', 'cancel refused by the gateway: X');
    expect(saga.state).toBe('NEEDS_ATTENTION');
    expect(saga.status.escalation?.reason).toBe('cancel refused by the gateway: X');
  });
});

describe('the revoke table', () => {
  const STATUSES: RevokeStatus[] = ['PENDING', 'IN_PROGRESS', 'REVOKED', 'REFUSED', 'NOT_NEEDED', 'NEEDS_ATTENTION'];

  /** A saga whose revoke is at `from` (NONE: no revoke asked yet). */
  function revokeAt(from: RevokeStatus | 'NONE') {
    const { saga } = sagaIn('PAID');
    if (from !== 'NONE') saga.requestRevoke({ operator: 'ops', reason: 'returned' }, 'signal').status = from;
    return saga;
  }

  it.each(REVOKE_TRANSITIONS.filter((t) => t.from !== 'NONE').map((t) => [t.from, t.to] as const))(
    '%s → %s',
    (from, to) => {
      const saga = revokeAt(from);
      saga.moveRevoke(to, 'why');
      expect(saga.status.revoke).toMatchObject({ status: to, detail: 'why' });
    },
  );

  it('NONE → PENDING: a request records who asked and how', () => {
    const saga = revokeAt('NONE');
    saga.requestRevoke({ operator: 'ops', reason: 'returned' }, 'update');
    expect(saga.status.revoke).toMatchObject({ operator: 'ops', reason: 'returned', via: 'update', status: 'PENDING' });
  });

  it('refuses every other revoke move', () => {
    for (const from of STATUSES)
      for (const to of STATUSES) {
        if (REVOKE_TRANSITIONS.some((t) => t.from === from && t.to === to)) continue;
        const saga = revokeAt(from);
        expect(() => saga.moveRevoke(to)).toThrow(IllegalTransitionError);
        expect(saga.status.revoke?.status).toBe(from);
      }
    expect(() => revokeAt('PENDING').requestRevoke({ operator: 'o', reason: 'r' }, 'signal')).toThrow(
      IllegalTransitionError,
    );
  });
});

describe('nextHoldStep (the hold phase, in order of business)', () => {
  const view = (more: Partial<HoldView>): HoldView => ({
    state: 'PAID',
    revokePending: false,
    revokeWindowOpen: true,
    closeCheckNeeded: false,
    ...more,
  });
  it.each([
    ['a person is needed, whatever else', view({ state: 'NEEDS_ATTENTION', revokePending: true }), 'AWAIT_RESOLUTION'],
    ['revoke pending on PAID, window open', view({ revokePending: true }), 'REVOKE'],
    [
      'revoke pending on PAID, window closed',
      view({ revokePending: true, revokeWindowOpen: false }),
      'SET_REVOKE_ASIDE',
    ],
    ['revoke pending on FAILED', view({ state: 'FAILED', revokePending: true }), 'SET_REVOKE_ASIDE'],
    ['nothing to do, window open', view({ closeCheckNeeded: true }), 'WAIT'],
    ['window closed, check due', view({ revokeWindowOpen: false, closeCheckNeeded: true }), 'CHECK_AT_CLOSE'],
    ['window closed, nothing due', view({ revokeWindowOpen: false }), 'CLOSE'],
  ] as const)('%s → %s', (_label, h, step) => expect(nextHoldStep(h)).toBe(step));
});

describe('README state diagram', () => {
  it('is the one generated from the table (npm run docs:states)', () => {
    const readme = readFileSync(README, 'utf8');
    expect(withDiagram(readme, stateDiagram())).toBe(readme);
  });

  it('draws every state the table knows', () => {
    for (const state of STATES) expect(stateDiagram()).toContain(state);
  });
});

/**
 * Issue 15 on virtual time, with production schedules: a Temporal cancellation request (money
 * rules R6) and an operator's recheck at the orchestration's edges: a pay in flight runs to its
 * end, compensation starts at once instead of after the 45 s confirm window, R1 still forbids
 * cancelling an order not proved ours, a revoke underway is not cut, and a recheck while
 * cancelling is one more query read by the compensation's own decision.
 */
import { recheckSignal, resolveSignal } from '../../workflows/definitions';
import {
  OTHER_AMOUNT,
  PRODUCTION_CANCEL_DELAYS,
  PRODUCTION_CONFIRM,
  REVOKE,
  SECOND,
  clientSnConflict,
  during,
  expectCalls,
  order,
  noAnswer,
  payInProgress,
  paySuccess,
  resolution,
  reversed,
  reversing,
  revokeBySignal,
  steps,
  useSagaEnvironment,
  type Answer,
} from './harness';

const saga = useSagaEnvironment();

const TIMING = { ...PRODUCTION_CONFIRM, cancelDelaysMs: PRODUCTION_CANCEL_DELAYS, revokeWindowAfterMs: 60 * SECOND };

/** The checkout's `handle.cancel()` while the saga waits for this call, then `answer`. */
const cancelledDuring = (answer: Answer): Answer => during((ctx) => ctx.payment.handle.cancel(), answer);

describe('a Temporal cancellation request (R6) and a recheck, on virtual time', () => {
  it('pay in flight answers PAID after the request: the pay ran to its end, the cancel goes at once; CANCELED, never Canceled', async () => {
    const payment = await saga.start(
      { pay: [cancelledDuring(paySuccess())], cancel: [reversed()] },
      { timing: TIMING },
    );
    const status = await payment.result();
    expectCalls(payment, status, ['pay', 'cancel']);
    expect(status.state).toBe('CANCELED');
    expect(status.cancellation).toMatchObject({ stateAtRequest: 'PAYING', effect: 'DO_NOT_TAKE' });
    expect((await payment.handle.describe()).status.name).toBe('COMPLETED');
  });

  it('pay in progress after the request: no 45 s confirm window, compensation at once', async () => {
    const payment = await saga.start(
      { pay: [cancelledDuring(payInProgress())], cancel: [reversed()] },
      { timing: TIMING },
    );
    const status = await payment.result();
    expectCalls(payment, status, ['pay', 'cancel']);
    expect(status.state).toBe('CANCELED');
    const [pay, cancel] = payment.log;
    expect(cancel!.scheduledAt - pay!.scheduledAt).toBeLessThan(2 * SECOND);
  });

  it('CLIENT_SN_CONFLICT then a request: nothing is cancelled before an order is proved ours (R1); NEEDS_ATTENTION', async () => {
    const payment = await saga.start(
      { pay: [cancelledDuring(clientSnConflict())], query: [noAnswer()] },
      { timing: TIMING },
    );
    await payment.advanceTo(50 * SECOND); // past the 45 s confirm window
    const status = await payment.waitForState('NEEDS_ATTENTION');
    expect(payment.operations()).not.toContain('cancel');
    expect(status.escalation?.reason).toContain('CLIENT_SN_CONFLICT');
    expect(steps(status).filter((st) => st.startsWith('confirm-query')).length).toBeGreaterThan(5); // the whole window
    expect(status.cancellation?.effect).toBe('DO_NOT_TAKE');
  });

  it('a request while REVOKING is recorded and cuts nothing: the revoke ends REVOKED, the workflow completes', async () => {
    const payment = await saga.start(
      {
        pay: [revokeBySignal(paySuccess(), REVOKE)],
        query: [order('PAID')],
        revoke: [cancelledDuring(reversed())],
      },
      { timing: TIMING },
    );
    const status = await payment.result();
    expect(status.state).toBe('REVOKED');
    expect(status.cancellation).toMatchObject({ stateAtRequest: 'REVOKING', effect: 'IGNORED' });
    expect(status.ignored.map((i) => i.name)).toEqual(['cancel']);
    expect((await payment.handle.describe()).status.name).toBe('COMPLETED');
  });

  it('a recheck while CANCELING is one query now, read like the query after a cancel: reversed → CANCELED without the next cancel', async () => {
    const recheck = during(
      (ctx) => ctx.payment.handle.signal(recheckSignal, { operator: 'ops', note: 'customer says it was returned' }),
      order('CREATED'),
    );
    const payment = await saga.start(
      {
        pay: [payInProgress()],
        query: [...Array<Answer>(9).fill(order('CREATED')), recheck, order('CANCELED')],
        cancel: [reversing()],
      },
      { timing: TIMING },
    );
    const status = await payment.result();
    const all = steps(status);
    const recheckAt = all.indexOf('recheck-query 1');
    expect(all[recheckAt - 1]).toMatch(/^cancel-check-query/);
    expect(all.slice(recheckAt + 1).filter((st) => st.startsWith('cancel'))).toEqual([]); // no next cancel
    expect(status.state).toBe('CANCELED');
    expect(status.rechecks?.[0]).toMatchObject({ gateway: 'CANCELED', effect: 'compensation: CANCELED' });
  });

  it('a request during the check at close (PAID by resolution) cuts nothing: the check runs, the workflow completes PAID', async () => {
    const payment = await saga.start(
      { pay: [payInProgress()], query: [order('PAID', OTHER_AMOUNT), cancelledDuring(order('PAID'))] },
      { timing: TIMING },
    );
    await payment.advanceTo(10 * SECOND);
    await payment.waitForState('NEEDS_ATTENTION');
    await payment.handle.signal(resolveSignal, resolution('PAID'));
    const status = await payment.result();
    expect(status.state).toBe('PAID');
    expect(steps(status).at(-1)).toBe('close-check-query 1');
    expect(status.cancellation).toMatchObject({ stateAtRequest: 'PAID', effect: 'IGNORED' });
    expect((await payment.handle.describe()).status.name).toBe('COMPLETED');
  });
});

import {
  ServiceError,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type Client,
  type WithStartWorkflowOperation,
} from '@temporalio/client';
import { PaymentsClient } from '../../client/payments-client';
import { RefundsClient } from '../../client/refunds-client';
import type { RefundRequest, RefundStatus } from '../../workflows/refund-types';
import type { PaymentRequest, PaymentStatus } from '../../workflows/types';

/**
 * `PaymentsClient.pay` and `RefundsClient.refund` on a fake Temporal client (client/start-or-attach.ts): a
 * second start that finds the workflow closed (closed when asked, or closing while the start attached, as
 * the fuzz met under load, gen 2 seed 1043) answers with the final status read from the workflow, not
 * with the server's error; any other error is passed on; the start never asks for a second workflow.
 */
const TERMINAL_SN = '100000000000000077';

const closedWhenAsked = () => new WorkflowExecutionAlreadyStartedError('already started', 'wf', 'paymentSaga');
const closedWhileAttaching = () => new WorkflowNotFoundError('workflow execution already completed', 'wf', undefined);
const closedWrapped = () => new ServiceError('Update-With-Start failed: workflow execution already completed');

type Behaviour<S> =
  | { kind: 'throws'; err: () => Error }
  | { kind: 'answers'; status: S }
  | { kind: 'accepted, then'; err: () => Error }
  | { kind: 'silent' };

/** A Client whose update-with-start behaves as told and whose status query answers `final`. */
function fakeClient<S>(behaviour: Behaviour<S>, final: S) {
  const starts: WithStartWorkflowOperation<never>[] = [];
  const queriedIds: string[] = [];
  const workflow = {
    startUpdateWithStart: jest.fn(
      (_update: unknown, opts: { waitForStage: string; startWorkflowOperation: WithStartWorkflowOperation<never> }) => {
        starts.push(opts.startWorkflowOperation);
        expect(opts.waitForStage).toBe('ACCEPTED');
        switch (behaviour.kind) {
          case 'throws':
            return Promise.reject(behaviour.err());
          case 'answers':
            return Promise.resolve({ result: () => Promise.resolve(behaviour.status) });
          case 'accepted, then':
            return Promise.resolve({ result: () => Promise.reject(behaviour.err()) });
          case 'silent':
            return Promise.resolve({ result: () => new Promise<never>(() => undefined) });
        }
      },
    ),
    getHandle: jest.fn((workflowId: string) => ({
      query: () => {
        queriedIds.push(workflowId);
        return Promise.resolve(final);
      },
    })),
  };
  return { client: { workflow } as unknown as Client, starts, queriedIds, workflow };
}

describe('PaymentsClient.pay: start or attach', () => {
  const request: PaymentRequest = {
    terminalSn: TERMINAL_SN,
    clientSn: 'SOA-1',
    amountFen: 1234,
    dynamicId: '130818341921441147',
    subject: 'coffee',
    operator: 'till-1',
  };
  const workflowId = `upay-${TERMINAL_SN}-SOA-1`;
  const status = (state: PaymentStatus['state'], amountFen = 1234) =>
    ({ state, amountFen, clientSn: 'SOA-1' }) as unknown as PaymentStatus;

  it.each([
    ['closed when asked', closedWhenAsked],
    ['closed while the start attached', closedWhileAttaching],
    ['the same, wrapped in a ServiceError', closedWrapped],
  ])('answers with the final status when the workflow was %s', async (_, err) => {
    const fake = fakeClient<PaymentStatus>({ kind: 'throws', err }, status('PAID'));
    const result = await new PaymentsClient(fake.client, 'q').pay(request);
    expect(result).toEqual({ workflowId, outcomeKnown: true, status: status('PAID') });
    expect(fake.queriedIds).toEqual([workflowId]);
  });

  it('answers with the final status when the workflow closes after accepting the outcome update', async () => {
    const fake = fakeClient<PaymentStatus>({ kind: 'accepted, then', err: closedWhileAttaching }, status('FAILED'));
    const result = await new PaymentsClient(fake.client, 'q').pay(request);
    expect(result).toEqual({ workflowId, outcomeKnown: true, status: status('FAILED') });
  });

  it('still checks the amount against the closed payment (a reused client_sn is a conflict)', async () => {
    const fake = fakeClient<PaymentStatus>({ kind: 'throws', err: closedWhenAsked }, status('PAID', 999));
    await expect(new PaymentsClient(fake.client, 'q').pay(request)).rejects.toMatchObject({
      name: 'PaymentConflictError',
      workflowId,
    });
  });

  it('passes on any other start error, without reading a status', async () => {
    const refused = new ServiceError('Unexpected error while making gRPC request');
    const fake = fakeClient<PaymentStatus>({ kind: 'throws', err: () => refused }, status('PAID'));
    await expect(new PaymentsClient(fake.client, 'q').pay(request)).rejects.toBe(refused);
    expect(fake.queriedIds).toEqual([]);
  });

  it("answers with the update's outcome when it comes in time, without a query", async () => {
    const fake = fakeClient<PaymentStatus>({ kind: 'answers', status: status('PAID') }, status('PAYING'));
    const result = await new PaymentsClient(fake.client, 'q').pay(request);
    expect(result).toEqual({ workflowId, outcomeKnown: true, status: status('PAID') });
    expect(fake.queriedIds).toEqual([]);
  });

  it('answers with the current status, outcome not known, when waitMs runs out first', async () => {
    const fake = fakeClient<PaymentStatus>({ kind: 'silent' }, status('CONFIRMING'));
    const result = await new PaymentsClient(fake.client, 'q').pay(request, { waitMs: 10 });
    expect(result).toEqual({ workflowId, outcomeKnown: false, status: status('CONFIRMING') });
  });

  it("starts under the order's ID, attaching to a running one and never starting a second after close", async () => {
    const fake = fakeClient<PaymentStatus>({ kind: 'answers', status: status('PAID') }, status('PAID'));
    await new PaymentsClient(fake.client, 'payments-q').pay(request);
    expect(fake.starts).toHaveLength(1);
    expect(fake.starts[0]?.options).toMatchObject({
      workflowId,
      taskQueue: 'payments-q',
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      args: [request],
    });
  });
});

describe('RefundsClient.refund: start or attach', () => {
  const request: RefundRequest = {
    terminalSn: TERMINAL_SN,
    clientSn: 'SOA-2',
    refundRequestNo: 'R-1',
    amountFen: 40,
    operator: 'desk',
  };
  const status = (state: RefundStatus['state'], amountFen = 40) =>
    ({ state, amountFen, refundRequestNo: 'R-1' }) as unknown as RefundStatus;

  it.each([
    ['closed when asked', closedWhenAsked],
    ['closed while the start attached', closedWhileAttaching],
    ['the same, wrapped in a ServiceError', closedWrapped],
  ])('answers with the final status when the refund was %s', async (_, err) => {
    const fake = fakeClient<RefundStatus>({ kind: 'throws', err }, status('REFUNDED'));
    const result = await new RefundsClient(fake.client, 'q').refund(request);
    expect(result).toMatchObject({ outcomeKnown: true, status: status('REFUNDED') });
    expect(fake.queriedIds).toEqual([result.workflowId]);
  });

  it('answers with the final status when the refund closes after accepting the outcome update', async () => {
    const fake = fakeClient<RefundStatus>({ kind: 'accepted, then', err: closedWhileAttaching }, status('REFUSED'));
    const result = await new RefundsClient(fake.client, 'q').refund(request);
    expect(result).toMatchObject({ outcomeKnown: true, status: status('REFUSED') });
  });

  it('still checks the amount against the closed refund (a reused refund number is a conflict)', async () => {
    const fake = fakeClient<RefundStatus>({ kind: 'throws', err: closedWhenAsked }, status('REFUNDED', 41));
    await expect(new RefundsClient(fake.client, 'q').refund(request)).rejects.toMatchObject({
      name: 'RefundConflictError',
    });
  });

  it('passes on any other start error, without reading a status', async () => {
    const refused = new Error('boom');
    const fake = fakeClient<RefundStatus>({ kind: 'throws', err: () => refused }, status('REFUNDED'));
    await expect(new RefundsClient(fake.client, 'q').refund(request)).rejects.toBe(refused);
    expect(fake.queriedIds).toEqual([]);
  });

  it('answers with the current status, outcome not known, when waitMs runs out first', async () => {
    const fake = fakeClient<RefundStatus>({ kind: 'silent' }, status('REFUNDING'));
    const result = await new RefundsClient(fake.client, 'q').refund(request, { waitMs: 10 });
    expect(result).toMatchObject({ outcomeKnown: false, status: status('REFUNDING') });
  });

  it('starts one workflow per refund number, attaching to a running one and never a second after close', async () => {
    const fake = fakeClient<RefundStatus>({ kind: 'answers', status: status('REFUNDED') }, status('REFUNDED'));
    const result = await new RefundsClient(fake.client, 'refunds-q').refund(request);
    expect(fake.starts).toHaveLength(1);
    expect(fake.starts[0]?.options).toMatchObject({
      workflowId: result.workflowId,
      taskQueue: 'refunds-q',
      workflowIdConflictPolicy: 'USE_EXISTING',
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      args: [request],
    });
  });
});

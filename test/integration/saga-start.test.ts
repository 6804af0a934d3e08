import { WorkflowFailedError } from '@temporalio/client';
import { InvalidRequestError, PaymentConflictError } from '../../client/errors';
import { paymentWorkflowId } from '../../workflows/types';
import { expectConsistent, newPayment, useSagaStack } from '../helpers/saga-stack';

describe('saga start: one workflow per merchant order, validated input', () => {
  const stack = useSagaStack();

  it('attaches a second start for the same order to the first payment: one pay call only', async () => {
    const request = newPayment();
    stack.sim.setScenario(request.clientSn, {
      pay: { result: 'PAY_IN_PROGRESS', settle: { to: 'PAID', afterQueries: 1 } },
    });
    const [first, second] = await Promise.all([stack.payments.pay(request), stack.payments.pay(request)]);
    expect(second.workflowId).toBe(first.workflowId);
    expect(first.status.state).toBe('PAID');
    expect(second.status.state).toBe('PAID');
    expect(stack.sim.ledger().counters.pay_calls_by_client_sn[request.clientSn]).toBe(1);
    await expectConsistent(stack, first.status);
  });

  it('never pays again for an order whose workflow already finished', async () => {
    const request = newPayment({ timing: { revokeWindowAfterMs: 500 } });
    await stack.payments.pay(request);
    await stack.payments.result(request);
    const again = await stack.payments.pay(request);
    expect(again.status.state).toBe('PAID');
    expect(stack.sim.ledger().counters.pay_calls_by_client_sn[request.clientSn]).toBe(1);
  });

  it('refuses a reused client_sn with a different amount', async () => {
    const request = newPayment();
    await stack.payments.pay(request);
    await expect(stack.payments.pay({ ...request, amountFen: request.amountFen + 1 })).rejects.toBeInstanceOf(
      PaymentConflictError,
    );
    expect(stack.sim.ledger().counters.pay_calls_by_client_sn[request.clientSn]).toBe(1);
  });

  it('rejects bad input in the client library, naming the field, before anything starts', async () => {
    const request = newPayment({ amountFen: 0 });
    await expect(stack.payments.pay(request)).rejects.toThrow(/amountFen must be positive/);
    await expect(stack.payments.pay(request)).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(
      stack.client.workflow.getHandle(paymentWorkflowId(request.terminalSn, request.clientSn)).describe(),
    ).rejects.toThrow();
    expect(stack.sim.ledger().requests.filter((r) => r.client_sn === request.clientSn)).toEqual([]);
  });

  it('fails a workflow started around the library (CLI, Web UI) with bad input as InvalidPaymentRequest, with no gateway call', async () => {
    const request = { ...newPayment(), amountFen: 12_345_678_901 }; // 11 digits
    const handle = await stack.client.workflow.start('paymentSaga', {
      taskQueue: stack.taskQueue,
      workflowId: paymentWorkflowId(request.terminalSn, request.clientSn),
      args: [request],
    });
    const failure = await handle.result().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure as WorkflowFailedError).cause as { type?: string; message?: string; nonRetryable?: boolean };
    expect(cause).toMatchObject({ type: 'InvalidPaymentRequest', nonRetryable: true });
    expect(cause.message).toContain('amountFen must be at most 10 digits');
    expect(stack.sim.ledger().requests.filter((r) => r.client_sn === request.clientSn)).toEqual([]);
  });

  it('keeps search attributes current so operators can find payments by state and order', async () => {
    const request = newPayment();
    const { status } = await stack.payments.pay(request);
    const query = `PaymentState = "PAID" AND ClientSn = "${request.clientSn}" AND TerminalSn = "${request.terminalSn}" AND AmountFen = ${request.amountFen} AND Sn = "${status.sn}"`;
    let found: string[] = [];
    for (let i = 0; i < 50 && found.length === 0; i++) {
      found = [];
      for await (const wf of stack.client.workflow.list({ query })) found.push(wf.workflowId);
      if (found.length === 0) await new Promise((r) => setTimeout(r, 100)); // visibility is eventually consistent
    }
    expect(found).toEqual([paymentWorkflowId(request.terminalSn, request.clientSn)]);
  });
});

import {
  expectNoOneSidedAccount,
  ledgerOrder,
  newPayment,
  startSagaStack,
  type SagaStack,
} from '../helpers/saga-stack';

describe('payment saga: pay outcomes', () => {
  let stack: SagaStack;
  beforeAll(async () => {
    stack = await startSagaStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('is PAID at once when pay answers PAY_SUCCESS', async () => {
    const request = newPayment();
    const { status, outcomeKnown } = await stack.payments.pay(request);
    expect(outcomeKnown).toBe(true);
    expect(status.state).toBe('PAID');
    expect(status.calls.map((c) => c.operation)).toEqual(['pay']);
    expect(ledgerOrder(stack.sim, request.clientSn)?.order_status).toBe('PAID');
    expectNoOneSidedAccount(stack.sim, status);
    const final = await stack.payments.result(request);
    expect(final.state).toBe('PAID');
  });

  it('is FAILED when pay answers PAY_FAIL', async () => {
    const request = newPayment();
    stack.sim.setScenario(request.clientSn, { pay: { result: 'PAY_FAIL', errorCode: 'EXPIRED_BARCODE' } });
    const { status } = await stack.payments.pay(request);
    expect(status.state).toBe('FAILED');
    expectNoOneSidedAccount(stack.sim, status);
  });

  it('confirms PAY_IN_PROGRESS by query and ends PAID', async () => {
    const request = newPayment();
    stack.sim.setScenario(request.clientSn, {
      pay: { result: 'PAY_IN_PROGRESS', settle: { to: 'PAID', afterQueries: 2 } },
    });
    const { status } = await stack.payments.pay(request);
    expect(status.state).toBe('PAID');
    expect(status.calls.map((c) => c.operation)).toEqual(['pay', 'query', 'query']);
    expectNoOneSidedAccount(stack.sim, status);
  });

  it('cancels a payment that never settles', async () => {
    const request = newPayment();
    stack.sim.setScenario(request.clientSn, { pay: { result: 'PAY_IN_PROGRESS' } });
    const { status } = await stack.payments.pay(request);
    expect(status.state).toBe('CANCELED');
    expect(status.calls.at(-1)).toMatchObject({ operation: 'cancel', bizResultCode: 'CANCEL_ABORT_SUCCESS' });
    expectNoOneSidedAccount(stack.sim, status);
  });
});

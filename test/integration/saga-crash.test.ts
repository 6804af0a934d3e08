import { NativeConnection } from '@temporalio/worker';
import { PaymentsClient } from '../../client/payments-client';
import { createPaymentWorker } from '../../worker/create-worker';
import {
  TERMINAL_KEY,
  TERMINAL_SN,
  expectNoOneSidedAccount,
  ledgerOrder,
  newPayment,
  useSagaStack,
} from '../helpers/saga-stack';
import { spawnWorker } from '../helpers/worker-process';

describe('saga: worker killed during pay', () => {
  const stack = useSagaStack();

  it('recovers on a new worker: the lost pay is confirmed by query, never re-sent', async () => {
    const taskQueue = `crash-${Date.now()}`;
    const payments = new PaymentsClient(stack.client, taskQueue);
    const child = await spawnWorker({
      TEMPORAL_ADDRESS: process.env.TEMPORAL_TEST_ADDRESS,
      TEMPORAL_TASK_QUEUE: taskQueue,
      SQB_API_DOMAIN: stack.sim.url,
      SQB_TERMINAL_SN: TERMINAL_SN,
      SQB_TERMINAL_KEY: TERMINAL_KEY,
    });
    const request = newPayment();
    // The gateway holds the pay for 3 s, then the payment succeeds, whoever is still listening.
    stack.sim.setScenario(request.clientSn, { pay: { holdMs: 3_000 } });
    const paying = payments.pay(request, { waitMs: 60_000 });
    for (let i = 0; i < 100 && !ledgerOrder(stack.sim, request.clientSn); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(ledgerOrder(stack.sim, request.clientSn)?.order_status).toBe('CREATED');
    child.child.kill('SIGKILL');

    const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_TEST_ADDRESS! });
    const { worker } = await createPaymentWorker({
      connection,
      config: {
        apiDomain: stack.sim.url,
        terminals: [{ terminalSn: TERMINAL_SN, terminalKey: TERMINAL_KEY }],
        taskQueue,
      },
    });
    const status = await worker.runUntil(async () => {
      const { status } = await paying;
      return status;
    });
    await connection.close();

    expect(status.state).toBe('PAID');
    expect(status.calls[0]).toMatchObject({
      operation: 'pay',
      kind: 'unknown',
      reason: expect.stringContaining('HEARTBEAT'),
    });
    expect(status.calls.slice(1).every((c) => c.operation === 'query')).toBe(true);
    expect(stack.sim.ledger().counters.pay_calls_by_client_sn[request.clientSn]).toBe(1);
    expectNoOneSidedAccount(stack.sim, status);
  }, 90_000);
});

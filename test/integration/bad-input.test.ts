import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { InvalidRequestError } from '../../client/errors';
import { INVALID_PAYMENT_REQUEST } from '../../workflows/payment-saga';
import type { PaymentRequest } from '../../workflows/types';
import { BAD_REQUESTS, badRequest } from '../fixtures/bad-payment-requests';
import { TERMINAL_SN, startSagaStack, type SagaStack } from '../helpers/saga-stack';

const run = promisify(execFile);
const REPO = path.resolve(__dirname, '..', '..');
let n = 0;
const freshSn = () => `BAD${Date.now().toString(36)}${++n}`;

/** Bad input never reaches the gateway, whichever door it comes through, and the error names the field. */
describe('bad input corpus', () => {
  let stack: SagaStack;
  let requestsBefore: number;
  beforeAll(async () => {
    stack = await startSagaStack();
    requestsBefore = stack.sim.ledger().requests.length;
  });
  afterAll(async () => {
    // Nothing of the whole corpus reached the gateway.
    expect(stack.sim.ledger().requests.length).toBe(requestsBefore);
    await stack?.stop();
  });

  it(`has at least 50 cases (${BAD_REQUESTS.length})`, () => {
    expect(BAD_REQUESTS.length).toBeGreaterThanOrEqual(50);
  });

  it.each(BAD_REQUESTS)(
    'library: %s → InvalidRequestError naming the field, nothing started',
    async (_l, change, field) => {
      const request = badRequest(change, freshSn()) as unknown as PaymentRequest;
      const error = await stack.payments.pay(request).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(InvalidRequestError);
      expect((error as InvalidRequestError).problems.map((p) => p.field)).toContain(field);
      expect((error as Error).message).toContain(field);
      if (typeof request.clientSn === 'string' && request.clientSn.startsWith('BAD')) {
        await expect(stack.payments.status(request)).rejects.toBeInstanceOf(WorkflowNotFoundError);
      }
    },
  );

  // A checkout that starts the workflow with the raw Temporal client gets the same answer from the saga.
  it.each(BAD_REQUESTS)('workflow: %s → non-retryable failure naming the field', async (_l, change, field) => {
    const handle = await stack.client.workflow.start('paymentSaga', {
      taskQueue: stack.taskQueue,
      workflowId: `bad-input-${freshSn()}`,
      args: [badRequest(change, freshSn())],
    });
    const error = await handle.result().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause).toMatchObject({ type: INVALID_PAYMENT_REQUEST, nonRetryable: true });
    expect(cause?.message).toContain(field);
  });

  const CLI_CASES: [string, string[], string][] = [
    ['zero amount', ['--amount', '0'], 'amountFen (--amount)'],
    ['negative amount', ['--amount=-5'], 'amountFen (--amount)'],
    ['negative amount without =, read as a flag', ['--amount', '-5'], "Option '--amount' argument is ambiguous"],
    ['11-digit amount', ['--amount', '12345678901'], 'amountFen (--amount)'],
    ['fractional amount', ['--amount', '1.5'], 'amountFen (--amount)'],
    ['letters in the amount', ['--amount', '12a'], 'amountFen (--amount)'],
    ['33-char client_sn', ['--client-sn', 'c'.repeat(33)], 'clientSn (--client-sn)'],
    ['Chinese client_sn', ['--client-sn', '订单1'], 'clientSn (--client-sn)'],
    ['empty client_sn', ['--client-sn', ''], 'clientSn (--client-sn)'],
    ['65-char subject', ['--subject', 's'.repeat(65)], 'subject (--subject)'],
    ['timing not JSON', ['--timing', 'fast'], 'timing (--timing)'],
    ['payway as a word', ['--payway', 'wechat'], 'payway (--payway)'],
    ['33-char operator', ['--operator', 'o'.repeat(33)], 'operator (--operator)'],
  ];

  it.each(CLI_CASES)('CLI: %s → exit 2 naming field and flag', async (_l, flags, named) => {
    const base = [
      '--client-sn',
      freshSn(),
      '--amount',
      '100',
      '--dynamic-id',
      '130818341921441147',
      '--subject',
      'coffee',
      '--operator',
      'cashier-1',
    ];
    const args = [...base, ...flags]; // parseArgs keeps the last value of a repeated flag
    const outcome = await run(process.execPath, ['--import', 'tsx', 'client/main.ts', 'pay', ...args], {
      cwd: REPO,
      env: { ...process.env, TEMPORAL_ADDRESS: process.env.TEMPORAL_TEST_ADDRESS, SQB_TERMINAL_SN: TERMINAL_SN },
    }).then(
      () => ({ code: 0, text: '' }),
      (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, text: err.stdout + err.stderr }),
    );
    expect(outcome.code).toBe(2);
    expect(outcome.text).toContain(named);
  });
});

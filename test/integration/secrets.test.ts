import { historyToJSON } from '@temporalio/common/lib/proto-utils';
import { decodedPayloads } from '../helpers/history-corpus';
import { PaymentsClient } from '../../client/payments-client';
import { ConfigError, loadWorkerConfig } from '../../worker/config';
import { paymentWorkflowId, type PaymentRequest } from '../../workflows/types';
import {
  TERMINAL_KEY,
  TERMINAL_SN,
  newPayment,
  startSagaStack,
  waitForStatus,
  type SagaStack,
} from '../helpers/saga-stack';
import { spawnWorker, type WorkerProcess } from '../helpers/worker-process';

/** A key or an MD5 signature: 32 lowercase hex characters. Nothing legitimate in our output looks like this. */
const KEY_OR_SIGNATURE = /\b[0-9a-f]{32}\b/g;

/** Each suspicious string with some context, so a failure shows where it came from. */
function secretsIn(raw: string): string[] {
  // Worker identities and sticky queues are "pid@hostname"; a VM's hostname may be 32 hex characters.
  const text = raw.replace(/\d+@[\w.-]+/g, 'pid@host');
  const found = [...text.matchAll(KEY_OR_SIGNATURE)].map((m) => text.slice(Math.max(0, m.index - 60), m.index + 40));
  if (text.includes(TERMINAL_KEY)) found.push(TERMINAL_KEY);
  if (/authorization/i.test(text)) found.push('authorization');
  return found;
}

/**
 * The terminal key and every signature stay inside the HTTP layer: not in any workflow input,
 * history, status, log line, error or ledger entry, whatever path the payment takes.
 */
describe('secret hygiene', () => {
  let stack: SagaStack;
  let worker: WorkerProcess;
  let payments: PaymentsClient;
  const requests: PaymentRequest[] = [];

  beforeAll(async () => {
    stack = await startSagaStack();
    const taskQueue = `secrets-${Date.now()}`;
    payments = new PaymentsClient(stack.client, taskQueue);
    // The real worker program with its default (INFO) logging, so every activity log line is seen.
    worker = await spawnWorker({
      TEMPORAL_ADDRESS: process.env.TEMPORAL_TEST_ADDRESS,
      TEMPORAL_TASK_QUEUE: taskQueue,
      SQB_API_DOMAIN: stack.sim.url,
      SQB_TERMINAL_SN: TERMINAL_SN,
      SQB_TERMINAL_KEY: TERMINAL_KEY,
    });
  }, 60_000);

  afterAll(async () => {
    await worker?.stop();
    await stack?.stop();
  });

  it('runs payments down every kind of path', async () => {
    const scenarios = [
      undefined,
      { pay: { result: 'PAY_FAIL' as const } },
      { pay: { fault: 'reset' as const } },
      { pay: { fault: 'truncated-json' as const } },
      { pay: { result: 'PAY_IN_PROGRESS' as const }, cancel: ['CANCEL_ERROR' as const] },
    ];
    for (const scenario of scenarios) {
      const request = newPayment();
      if (scenario) stack.sim.setScenario(request.clientSn, scenario);
      requests.push(request);
      await payments.pay(request);
      // Revoke the first (PAID) one at once: its revoke window is FAST_TIMING's few seconds.
      if (requests.length === 1) await payments.revoke(request, { operator: 'ops', reason: 'test' });
    }
    const revoked = requests[0]!;
    // A terminal this worker has no key for: the pay is never sent, the reason is recorded.
    const stranger = newPayment({ terminalSn: '999999999999999999' });
    requests.push(stranger);
    const { status } = await payments.pay(stranger);
    expect(status.state).toBe('FAILED');
    expect(status.calls[0]?.reason).toContain('no terminal key configured');
    await waitForStatus(stack, revoked, (s) => s.state === 'REVOKED');
  }, 60_000);

  it('keeps them out of every workflow history and status', async () => {
    expect(requests.length).toBeGreaterThan(0);
    for (const request of requests) {
      const handle = stack.client.workflow.getHandle(paymentWorkflowId(request.terminalSn, request.clientSn));
      const history = historyToJSON(await handle.fetchHistory());
      expect(history.length).toBeGreaterThan(100);
      expect(secretsIn(history)).toEqual([]);
      // Payloads are base64 in the JSON: decoded, they must be clean too.
      const payloads = decodedPayloads(JSON.parse(history));
      expect(payloads.join('\n')).toContain(request.clientSn);
      expect(secretsIn(payloads.join('\n'))).toEqual([]);
      expect(secretsIn(JSON.stringify(await payments.status(request)))).toEqual([]);
    }
  });

  it('keeps them out of the worker log', () => {
    expect(worker.output()).toContain('gateway call');
    expect(secretsIn(worker.output())).toEqual([]);
  });

  it('keeps them out of the gateway ledger and request log', () => {
    expect(secretsIn(JSON.stringify(stack.sim.ledger()))).toEqual([]);
  });

  it('has a scanner that bites: a key or an Authorization value is found', () => {
    expect(secretsIn(`{"k":"${TERMINAL_KEY}"}`)).not.toEqual([]);
    expect(secretsIn(`Authorization: ${TERMINAL_SN} 418850f2fd6d7297817e0b3c2e2fc148`)).toHaveLength(2);
  });

  it('keeps them out of configuration errors', () => {
    let error: unknown;
    try {
      loadWorkerConfig({
        SQB_API_DOMAIN: 'not a url',
        SQB_TERMINAL_SN: TERMINAL_SN,
        SQB_TERMINAL_KEY: `${TERMINAL_KEY} x`,
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(secretsIn(String((error as Error).message))).toEqual([]);
  });
});

import { Worker } from '@temporalio/worker';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startLocalTemporal } from '../../scripts/toolchain/dev-server';
import { TEMPORAL_CLI, resolveBinary } from '../../scripts/toolchain/temporal-binaries';
import { smokeWorkflow } from '../fixtures/smoke-workflow';

describe('Temporal toolchain', () => {
  let env: TestWorkflowEnvironment;

  beforeAll(async () => {
    env = await startLocalTemporal();
  });

  afterAll(async () => {
    await env?.teardown();
  });

  it('finds a real Temporal CLI without downloading anything', () => {
    const cli = resolveBinary(TEMPORAL_CLI);
    expect(cli.source).not.toBe('sdk-download');
    expect(cli.path).toBeTruthy();
  });

  it('boots the dev server through existing-path and runs a one-activity workflow on it', async () => {
    const taskQueue = `smoke-${Date.now()}`;
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowsPath: require.resolve('../fixtures/smoke-workflow'),
      activities: { greet: (name: string) => Promise.resolve(`hello ${name}`) },
    });
    const result = await worker.runUntil(
      env.client.workflow.execute(smokeWorkflow, { taskQueue, workflowId: `smoke-${Date.now()}`, args: ['temporal'] }),
    );
    expect(result).toBe('hello temporal');
  });

  it('registers the saga search attributes on the server', async () => {
    const { customAttributes } = await env.connection.operatorService.listSearchAttributes({ namespace: 'default' });
    expect(Object.keys(customAttributes ?? {})).toEqual(
      expect.arrayContaining(['PaymentState', 'ClientSn', 'Sn', 'TerminalSn', 'AmountFen']),
    );
  });
});

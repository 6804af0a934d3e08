import { Worker } from '@temporalio/worker';
import { exportWithCli } from '../../scripts/histories/export';
import { TEMPORAL_CLI, resolveBinary } from '../../scripts/toolchain/temporal-binaries';
import { paymentWorkflowId } from '../../workflows/types';
import { FAST_TIMING, newPayment, useSagaStack, waitForStatus } from '../helpers/saga-stack';

/** The path from production into the corpus: `temporal workflow show -o json` of a run of this code. */
describe('a history exported by the Temporal CLI', () => {
  const stack = useSagaStack();

  it('replays with the current workflow code, from start to close', async () => {
    // A window wide enough that a pay slowed by load still leaves the revoke more than the arrival
    // margin before the window's end (a revoke inside the margin is refused unsent).
    const request = newPayment({ timing: { ...FAST_TIMING, revokeWindowAfterMs: 15_000 } });
    stack.sim.setScenario(request.clientSn, {
      pay: { result: 'PAY_IN_PROGRESS', settle: { to: 'PAID', afterQueries: 2 } },
    });
    await stack.payments.pay(request);
    await stack.payments.revokeBySignal(request, { operator: 'ops-wang', reason: 'returned' });
    await waitForStatus(stack, request, (s) => s.state === 'REVOKED');
    const workflowId = paymentWorkflowId(request.terminalSn, request.clientSn);
    await stack.client.workflow.getHandle(workflowId).result();

    const cli = resolveBinary(TEMPORAL_CLI).path!;
    const history = (await exportWithCli(cli, process.env.TEMPORAL_TEST_ADDRESS!, workflowId)) as { events: unknown[] };
    expect(history.events.length).toBeGreaterThan(20);
    await expect(
      Worker.runReplayHistory({ workflowsPath: require.resolve('../../workflows') }, history, workflowId),
    ).resolves.toBeUndefined();
  });
});

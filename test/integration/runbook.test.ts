import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { TEMPORAL_CLI, resolveBinary } from '../../scripts/toolchain/temporal-binaries';
import { UPAY_TCP_ORDER_NOT_REFUNDABLE } from '../../simulator';
import { paymentWorkflowId, type PaymentRequest } from '../../workflows/types';
import { expectConsistent, ledgerOrder, newPayment, useSagaStack, waitForStatus } from '../helpers/saga-stack';

const run = promisify(execFile);

/** The README runbook's Temporal CLI commands, run for real against the dev server. */
async function temporal(...args: string[]): Promise<string> {
  const cli = resolveBinary(TEMPORAL_CLI).path!;
  const { stdout } = await run(cli, [...args, '--address', process.env.TEMPORAL_TEST_ADDRESS!]);
  return stdout;
}

const idOf = (r: PaymentRequest) => paymentWorkflowId(r.terminalSn, r.clientSn);
const inList = (requests: PaymentRequest[]) => `ClientSn IN (${requests.map((r) => `"${r.clientSn}"`).join(', ')})`;

describe('runbook (README): the Temporal CLI against live payments', () => {
  const stack = useSagaStack();

  it('lists payments that need a person, and resolves one with a signal', async () => {
    const request = newPayment({ timing: { confirmIntervalMs: 300, confirmWindowMs: 200 } });
    stack.sim.setScenario(request.clientSn, {
      pay: { result: 'PAY_IN_PROGRESS' },
      cancel: [UPAY_TCP_ORDER_NOT_REFUNDABLE],
    });
    expect((await stack.payments.pay(request)).status.state).toBe('NEEDS_ATTENTION');

    const query = `PaymentState="NEEDS_ATTENTION" AND ${inList([request])}`;
    await waitForList(query, [idOf(request)]);

    await temporal(
      'workflow',
      'signal',
      '--workflow-id',
      idOf(request),
      '--name',
      'resolve',
      '--input',
      '{"operator":"ops-lead","resolution":"FAILED","note":"order never settled; customer paid cash"}',
    );
    const resolved = await waitForStatus(stack, request, (s) => s.state === 'FAILED');
    expect(resolved.resolution).toMatchObject({ operator: 'ops-lead', resolution: 'FAILED' });
    await expectConsistent(stack, resolved);
  });

  it('revokes in bulk with a batch signal over a list query', async () => {
    const requests = [newPayment(), newPayment()];
    for (const r of requests) expect((await stack.payments.pay(r)).status.state).toBe('PAID');
    const query = `WorkflowType="paymentSaga" AND PaymentState="PAID" AND ${inList(requests)}`;
    await waitForList(query, requests.map(idOf)); // the dry run: look before you revoke

    await temporal(
      'workflow',
      'signal',
      '--query',
      query,
      '--name',
      'revoke',
      '--input',
      '{"operator":"ops-wang","reason":"store closed early, all refunded"}',
      '--reason',
      'bulk revoke (runbook test)',
      '--yes',
    );
    for (const r of requests) {
      const status = await waitForStatus(stack, r, (s) => s.state === 'REVOKED', 30_000);
      expect(status.revoke).toMatchObject({ operator: 'ops-wang', via: 'signal' });
      expect(ledgerOrder(stack.sim, r.clientSn)?.order_status).toBe('CANCELED');
      await expectConsistent(stack, status);
    }
  });

  it("reads a payment's history as JSON", async () => {
    const request = newPayment();
    await stack.payments.pay(request);
    const output = await temporal('workflow', 'show', '--workflow-id', idOf(request), '--output', 'json');
    const { events } = JSON.parse(output) as { events: { eventType: string }[] };
    expect(events[0]?.eventType).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_STARTED');
    expect(events.map((e) => e.eventType)).toContain('EVENT_TYPE_ACTIVITY_TASK_COMPLETED');
  });

  it('reconciles the payments above with the gateway: npm run reconcile lists no discrepancy', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/reconcile/main.ts',
        '--ledger',
        `${stack.sim.url}/_sim/ledger`,
        '--query',
        `TaskQueue="${stack.taskQueue}"`,
      ],
      {
        cwd: path.resolve(__dirname, '..', '..'),
        env: { ...process.env, TEMPORAL_ADDRESS: process.env.TEMPORAL_TEST_ADDRESS },
      },
    );
    // The four payments above (two revoked, one resolved FAILED, one PAID), all found and all agreeing.
    const summary =
      /^(\d+) payments, 0 refunds \(0 without status\), (\d+) gateway orders: (\d+) matched, \d+ open, 0 without status, 0 discrepancies$/.exec(
        stdout.trim().split('\n').at(-1) ?? '',
      );
    expect(summary).not.toBeNull();
    const [payments, orders, matched] = summary!.slice(1).map(Number);
    expect(payments).toBeGreaterThanOrEqual(4);
    expect(orders).toBe(payments);
    expect(matched).toBeGreaterThanOrEqual(3);
  });
});

/** Visibility is eventually consistent: poll `temporal workflow list` until exactly these show. */
async function waitForList(query: string, workflowIds: string[]): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const listed = (await temporal('workflow', 'list', '--query', query, '--output', 'jsonl'))
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { execution: { workflowId: string } }).execution.workflowId);
    if ([...listed].sort().join() === [...workflowIds].sort().join()) return;
    if (Date.now() > deadline) throw new Error(`list ${query} gave ${listed.join(', ')}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

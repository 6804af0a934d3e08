import { execFile } from 'node:child_process';
import path from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { REFUND_PATHS } from '../../scripts/histories/refund-paths';
import { TEMPORAL_CLI, resolveBinary } from '../../scripts/toolchain/temporal-binaries';
import { InvalidRequestError } from '../../client/errors';
import { RefundsClient } from '../../client/refunds-client';
import { refundStatusQuery } from '../../workflows/refund-definitions';
import {
  INVALID_REFUND_REQUEST,
  REFUND_WORKFLOW_TYPE,
  refundWorkflowId,
  type RefundRequest,
  type RefundStatus,
  type RefundTimingOverrides,
} from '../../workflows/refund-types';
import { ClientSnKey, RefundStateKey, SnKey, TerminalSnKey } from '../../workflows/search-attributes';
import type { Scenario } from '../../simulator';
import { loadCorpus } from '../helpers/history-corpus';
import { TERMINAL_SN, ledgerOrder, newPayment, useSagaStack, type SagaStack } from '../helpers/saga-stack';

const REPO = path.resolve(__dirname, '..', '..');

/** A real process (`npm run client -- …`'s program, or the Temporal CLI): its exit code and stdout. */
function run(file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: REPO, env: { ...process.env, ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout: stdout || stderr }),
    );
  });
}

/** Short timing: a retry a second, a deadline in seconds, doubt 2 s. */
const FAST_REFUND_TIMING: RefundTimingOverrides = {
  retryDelaysMs: [1_000],
  deadlineAfterMs: 6_000,
  requestDoubtMs: 2_000,
  checkIntervalMs: 300,
};

let counter = 0;
function refundOf(clientSn: string, amountFen: number, overrides: Partial<RefundRequest> = {}): RefundRequest {
  counter += 1;
  return {
    terminalSn: newPayment().terminalSn,
    clientSn,
    refundRequestNo: `R${Date.now().toString(36)}${counter}`.slice(0, 20),
    amountFen,
    operator: 'returns-desk-1',
    reason: 'customer returned the goods',
    timing: FAST_REFUND_TIMING,
    ...overrides,
  };
}

/** A paid order of `amountFen` (the payment saga, the real simulator), with the simulator's knobs for it. */
async function paidOrder(stack: SagaStack, amountFen = 1234, scenario?: Scenario): Promise<string> {
  const payment = newPayment({ amountFen });
  if (scenario) stack.sim.setScenario(payment.clientSn, scenario); // scenarios are fixed when the order is made
  const { status } = await stack.payments.pay(payment);
  expect(status.state).toBe('PAID');
  return payment.clientSn;
}

/** Refund movements in the simulator's books for one order. */
function refundMovements(stack: SagaStack, clientSn: string) {
  return (ledgerOrder(stack.sim, clientSn)?.movements ?? []).filter((m) => m.kind === 'refund');
}

/** The status query and the search attributes agree; ClientSn is the payment's. */
async function expectAttributes(stack: SagaStack, status: RefundStatus): Promise<void> {
  const handle = stack.client.workflow.getHandle(refundWorkflowId(status));
  const live = await handle.query(refundStatusQuery);
  const attributes = (await handle.describe()).typedSearchAttributes;
  expect(attributes.get(RefundStateKey)).toBe(live.state);
  expect(attributes.get(ClientSnKey)).toBe(status.clientSn);
  expect(attributes.get(TerminalSnKey)).toBe(status.terminalSn);
  if (live.sn) expect(attributes.get(SnKey)).toBe(live.sn);
}

describe('refund workflow (issue #16) against the simulator', () => {
  const stack = useSagaStack();
  let refunds: RefundsClient;
  beforeAll(() => {
    refunds = new RefundsClient(stack.client, stack.taskQueue);
  });

  it('refunds a paid order in full: REFUNDED, the order REFUNDED at the gateway, one refund movement', async () => {
    const clientSn = await paidOrder(stack);
    const request = refundOf(clientSn, 1234);
    const { status, outcomeKnown } = await refunds.refund(request);
    expect(outcomeKnown).toBe(true);
    expect(status).toMatchObject({ state: 'REFUNDED', order: { orderStatus: 'PAID', netAmountFen: 1234 } });
    expect(status.calls.map((c) => c.step)).toEqual(['look-query', 'refund']);
    expect(ledgerOrder(stack.sim, clientSn)).toMatchObject({
      order_status: 'REFUNDED',
      refunded_fen: 1234,
      kept_fen: 0,
    });
    expect(refundMovements(stack, clientSn)).toHaveLength(1);
    const final = await refunds.result(request);
    expect(final.settledAt).toBeDefined();
    await expectAttributes(stack, final);
  });

  it('refunds part, then another part under a new refund_request_no: PARTIAL_REFUNDED, net_amount seen by the look', async () => {
    const clientSn = await paidOrder(stack, 1000);
    const first = await refunds.refund(refundOf(clientSn, 300));
    expect(first.status.state).toBe('REFUNDED');
    const second = await refunds.refund(refundOf(clientSn, 500));
    expect(second.status).toMatchObject({
      state: 'REFUNDED',
      order: { orderStatus: 'PARTIAL_REFUNDED', netAmountFen: 700 },
    });
    expect(ledgerOrder(stack.sim, clientSn)).toMatchObject({
      order_status: 'PARTIAL_REFUNDED',
      net_amount: '200',
      refunded_fen: 800,
      kept_fen: 200,
    });
    expect(refundMovements(stack, clientSn).map((m) => m.amount_fen)).toEqual([300, 500]);
  });

  it('attaches a repeated request (same refund_request_no) to the first: one workflow, one movement, the same answer', async () => {
    const clientSn = await paidOrder(stack);
    const request = refundOf(clientSn, 400);
    const [a, b] = await Promise.all([refunds.refund(request), refunds.refund(request)]);
    expect(a.workflowId).toBe(b.workflowId);
    expect([a.status.state, b.status.state]).toEqual(['REFUNDED', 'REFUNDED']);
    await refunds.result(request); // closed
    const again = await refunds.refund(request); // after it closed: the same answer, nothing sent
    expect(again.status.state).toBe('REFUNDED');
    expect(again.status.calls.filter((c) => c.step === 'refund')).toHaveLength(1);
    expect(refundMovements(stack, clientSn)).toHaveLength(1);
    expect(ledgerOrder(stack.sim, clientSn)?.refunded_fen).toBe(400);
    // The same number with another amount is a reused number, not the same refund.
    await expect(refunds.refund({ ...request, amountFen: 401 })).rejects.toThrow(/already exists with amountFen 400/);
  });

  it('refuses more than net_amount on the look, sending no refund: REFUSED with the code, the books unchanged', async () => {
    const clientSn = await paidOrder(stack, 1234);
    const { status } = await refunds.refund(refundOf(clientSn, 1235));
    expect(status).toMatchObject({ state: 'REFUSED', refusal: { code: 'REFUNDABLE_AMOUNT_NOT_ENOUGH' } });
    expect(status.calls.some((c) => c.operation === 'refund')).toBe(false);
    expect(ledgerOrder(stack.sim, clientSn)).toMatchObject({ order_status: 'PAID', refunded_fen: 0, kept_fen: 1234 });
    await expectAttributes(stack, await refunds.result(status));
  });

  it('never refunds more than net_amount across concurrent refunds of one order (the gateway checks, the look first)', async () => {
    const clientSn = await paidOrder(stack, 1000);
    const results = await Promise.all([600, 600, 600].map((fen) => refunds.refund(refundOf(clientSn, fen))));
    const states = results.map((r) => r.status.state).sort();
    expect(states).toEqual(['REFUNDED', 'REFUSED', 'REFUSED']);
    for (const r of results.filter((x) => x.status.state === 'REFUSED'))
      expect(['REFUNDABLE_AMOUNT_NOT_ENOUGH', 'UPAY_REFUND_INVALID_ORDER_STATE']).toContain(r.status.refusal?.code);
    expect(ledgerOrder(stack.sim, clientSn)).toMatchObject({ refunded_fen: 600, kept_fen: 400 });
  });

  it('refuses an order the gateway does not know (UPAY_ORDER_NOT_EXISTS) without sending a refund', async () => {
    const { status } = await refunds.refund(refundOf('never-paid-here', 100));
    expect(status).toMatchObject({ state: 'REFUSED', refusal: { code: 'UPAY_ORDER_NOT_EXISTS' } });
    expect(status.calls.some((c) => c.operation === 'refund')).toBe(false);
  });

  it('takes a lost refund answer as unknown, finds the refund by refund_request_no, and never refunds twice', async () => {
    const clientSn = await paidOrder(stack, 1234, { refund: [{ fault: 'reset', commit: true }] }); // lands, answer lost
    const request = refundOf(clientSn, 500);
    const { status } = await refunds.refund(request);
    expect(status.state).toBe('REFUNDED');
    expect(status.calls.map((c) => `${c.step}:${c.kind}`)).toEqual([
      'look-query:success',
      'refund:unknown',
      'refund-check-query:success',
    ]);
    expect(refundMovements(stack, clientSn)).toHaveLength(1);
    expect(ledgerOrder(stack.sim, clientSn)).toMatchObject({ order_status: 'PARTIAL_REFUNDED', refunded_fen: 500 });
  });

  it('sends the refund again with the same refund_request_no when the lost one never arrived', async () => {
    const clientSn = await paidOrder(stack, 1234, { refund: [{ fault: 'reset', commit: false }] }); // nothing happened
    const request = refundOf(clientSn, 500);
    const { status } = await refunds.refund(request);
    expect(status.state).toBe('REFUNDED');
    const refundCalls = stack.sim
      .ledger()
      .requests.filter((r) => r.endpoint.endsWith('refund') && r.client_sn === clientSn);
    expect(refundCalls.map((r) => r.refund_request_no)).toEqual([request.refundRequestNo, request.refundRequestNo]);
    expect(refundMovements(stack, clientSn)).toHaveLength(1);
  });

  it('follows a slow refund (REFUND_IN_PROGRESS, order REFUND_INPROGRESS) until it lands: REFUNDED once', async () => {
    const clientSn = await paidOrder(stack, 1234, {
      refund: [{ effectAfterMs: 1_500, meanwhile: 'REFUND_INPROGRESS', reply: 'in-progress' }],
    });
    const { status } = await refunds.refund(refundOf(clientSn, 1234));
    expect(status.state).toBe('REFUNDED');
    expect(status.calls[1]).toMatchObject({ step: 'refund', kind: 'in_progress' });
    expect(ledgerOrder(stack.sim, clientSn)).toMatchObject({ order_status: 'REFUNDED', refunded_fen: 1234 });
    expect(refundMovements(stack, clientSn)).toHaveLength(1);
  });

  it('hands a refund without a definite answer by its deadline to a person, who resolves it by update', async () => {
    const clientSn = await paidOrder(stack, 1234, {
      refund: Array.from({ length: 20 }, () => 'REFUND_ERROR' as const),
    });
    const request = refundOf(clientSn, 300);
    const { status } = await refunds.refund(request);
    expect(status.state).toBe('NEEDS_ATTENTION');
    expect(status.escalation?.reason).toMatch(/no definite refund answer before the deadline/);
    const sent = status.calls.filter((c) => c.step === 'refund');
    expect(sent.length).toBeGreaterThanOrEqual(3);
    // Each got REFUND_ERROR, except one the worker held back near the deadline (R5: none arrives after it).
    for (const c of sent) expect(c.bizResultCode ?? c.transportError).toMatch(/^(REFUND_ERROR|SEND_DEADLINE)$/);
    const arrived = stack.sim
      .ledger()
      .requests.filter((r) => r.endpoint.endsWith('refund') && r.client_sn === clientSn);
    expect(Math.max(...arrived.map((r) => r.at))).toBeLessThan(status.timing.deadline);
    await expectAttributes(stack, status);
    await expect(
      refunds.resolve(request, { operator: 'ops-lead', resolution: 'PAID' as never, note: 'x' }),
    ).rejects.toBeInstanceOf(InvalidRequestError);
    const resolved = await refunds.resolve(request, {
      operator: 'ops-lead',
      resolution: 'NOT_REFUNDED',
      note: '收钱吧 support: the refund never reached the channel',
    });
    expect(resolved).toMatchObject({ state: 'NOT_REFUNDED', resolution: { resolution: 'NOT_REFUNDED' } });
    expect(resolved.resolution?.gatewayAtResolve?.answer).toMatch(/PAID/);
    await expect(
      refunds.resolve(request, { operator: 'ops-lead', resolution: 'REFUNDED', note: 'twice' }),
    ).rejects.toThrow();
    expect(ledgerOrder(stack.sim, clientSn)).toMatchObject({ order_status: 'PAID', refunded_fen: 0, kept_fen: 1234 });
    await expectAttributes(stack, await refunds.result(request));
  });

  it('does not report REFUSED when the refusal follows an attempt in doubt: a person decides (R3 for refunds)', async () => {
    const refused = { answer: 'REFUND_FAIL' as const, errorCode: 'REFUNDABLE_AMOUNT_NOT_ENOUGH' };
    const clientSn = await paidOrder(stack, 1234, {
      refund: [{ fault: 'reset', commit: false }, refused, refused, refused, refused],
    });
    const request = refundOf(clientSn, 300);
    const { status } = await refunds.refund(request);
    expect(status.state).toBe('NEEDS_ATTENTION');
    expect(status.refusal).toBeUndefined();
    expect(status.escalation?.reason).toMatch(/refused \(REFUNDABLE_AMOUNT_NOT_ENOUGH\) after an earlier attempt/);
    await refunds.resolveBySignal(request, { operator: 'ops-lead', resolution: 'NOT_REFUNDED', note: 'checked' });
    const final = await refunds.result(request);
    expect(final.state).toBe('NOT_REFUNDED');
    expect(refundMovements(stack, clientSn)).toHaveLength(0);
  });

  it('refunds from the CLI (npm run client -- refund …): REFUNDED exit 0; the same --refund-no again attaches', async () => {
    const clientSn = await paidOrder(stack, 800);
    const env = {
      TEMPORAL_ADDRESS: process.env.TEMPORAL_TEST_ADDRESS,
      TEMPORAL_TASK_QUEUE: stack.taskQueue,
      SQB_TERMINAL_SN: TERMINAL_SN,
    };
    const args = ['--client-sn', clientSn, '--refund-no', `CLI-${clientSn}`.slice(0, 20), '--amount', '800'];
    const cli = (...more: string[]) => run(process.execPath, ['--import', 'tsx', 'client/main.ts', ...more], env);
    const [first, bad] = await Promise.all([
      cli('refund', ...args, '--operator', 'returns-desk-1', '--timing', JSON.stringify(FAST_REFUND_TIMING)),
      cli('refund', '--client-sn', clientSn, '--refund-no', 'R'.repeat(21), '--amount', '0', '--operator', 'o'),
    ]);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ outcome: 'REFUNDED', state: 'REFUNDED' });
    expect(bad.code).toBe(2);
    expect((JSON.parse(bad.stdout) as { error: string }).error).toMatch(
      /refundRequestNo \(--refund-no\) must be at most 20.*amountFen \(--amount\) must be positive/,
    );
    const again = await cli('refund', ...args, '--operator', 'returns-desk-1');
    expect(again.code).toBe(0);
    const status = await cli('refund-status', ...args.slice(0, 4));
    expect(JSON.parse(status.stdout)).toMatchObject({ state: 'REFUNDED' });
    expect(refundMovements(stack, clientSn)).toHaveLength(1);
  });

  it('starts from the JSON an operator types as the Web UI or the Temporal CLI sends it (workflow type refundSaga)', async () => {
    const clientSn = await paidOrder(stack, 600);
    const input = {
      terminalSn: TERMINAL_SN,
      clientSn,
      refundRequestNo: `OPS${counter++}`,
      amountFen: 250,
      operator: 'ops-wang',
    };
    const workflowId = refundWorkflowId(input);
    const { code } = await run(resolveBinary(TEMPORAL_CLI).path!, [
      'workflow',
      'start',
      '--address',
      process.env.TEMPORAL_TEST_ADDRESS!,
      '--type',
      REFUND_WORKFLOW_TYPE,
      '--task-queue',
      stack.taskQueue,
      '--workflow-id',
      workflowId,
      '--input',
      JSON.stringify(input),
    ]);
    expect(code).toBe(0);
    const final = await refunds.result(input);
    expect(final).toMatchObject({ state: 'REFUNDED', amountFen: 250, sn: expect.any(String) });
    expect(ledgerOrder(stack.sim, clientSn)).toMatchObject({ refunded_fen: 250, kept_fen: 350 });
    await expectAttributes(stack, final); // published by the workflow itself: the UI start sets none
  });

  it('carries a refund to its end when Temporal is asked to cancel it (R6): REFUNDED, the request kept as ignored', async () => {
    const clientSn = await paidOrder(stack, 1234, {
      refund: [{ effectAfterMs: 1_500, meanwhile: 'REFUND_INPROGRESS', reply: 'in-progress' }],
    });
    const request = refundOf(clientSn, 1234);
    const started = refunds.refund(request);
    await refunds.waitFor(request, (s) => s.state === 'REFUNDING');
    const handle = stack.client.workflow.getHandle(refundWorkflowId(request));
    await handle.cancel();
    await started;
    const final = await refunds.result(request);
    expect(final.state).toBe('REFUNDED');
    expect(final.ignored).toEqual([expect.objectContaining({ name: 'cancel' })]);
    expect((await handle.describe()).status.name).toBe('COMPLETED');
    expect(refundMovements(stack, clientSn)).toHaveLength(1);
  });

  it('names the field of bad input before anything starts, and fails a bad Web UI start with InvalidRefundRequest', async () => {
    const bad = { ...refundOf('x', 100), refundRequestNo: 'R'.repeat(21), amountFen: 0 };
    const err = await refunds.refund(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidRequestError);
    expect((err as Error).message).toMatch(/refundRequestNo must be at most 20 characters/);
    expect((err as Error).message).toMatch(/amountFen must be positive/);
    // What an operator might type in Start Workflow: the workflow itself refuses it, nothing sent.
    const handle = await stack.client.workflow.start(REFUND_WORKFLOW_TYPE, {
      workflowId: `upay-refund-bad-${Date.now()}`,
      taskQueue: stack.taskQueue,
      args: [{ terminalSn: 'T-1', refundRequestNo: 'R1', amountFen: 5, operator: 'ops' }],
    });
    const failure = await handle.result().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    expect((failure as WorkflowFailedError).cause).toMatchObject({ type: INVALID_REFUND_REQUEST });
    expect((failure as WorkflowFailedError).cause?.message).toMatch(/terminalSn must be digits only.*clientSn or sn/);
  });

  it('has a recorded history of every refund path in the corpus (test/replay/corpus.test.ts replays them)', () => {
    const names = loadCorpus().map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(REFUND_PATHS.map((p) => `${p.name}.json`)));
  });
});

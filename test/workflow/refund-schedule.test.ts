/**
 * The refund workflow's orchestration on virtual time, with the production schedule (5 s doubling to
 * 5 min, a deadline an hour after the start, 60 s of doubt): Temporal's time-skipping test server and
 * scripted fake gateway activities. The end-to-end paths are in test/integration/refund.test.ts.
 */
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Worker, bundleWorkflowCode, type WorkflowBundleOption } from '@temporalio/worker';
import { admitRefund, type RefundCallInput, type RefundQueryInput } from '../../activities/refund-activities';
import { TEMPORAL_TEST_SERVER, resolveBinary, toEphemeralExecutable } from '../../scripts/toolchain/temporal-binaries';
import { refundStatusQuery } from '../../workflows/refund-definitions';
import type { RefundOrderSnapshot, RefundRequest, RefundStatus } from '../../workflows/refund-types';
import { PAYMENT_SEARCH_ATTRIBUTES } from '../../workflows/search-attributes';
import type { GatewayCallResult } from '../../workflows/types';
import { WORKFLOW_BUNDLE_ENV } from './global-setup';

const SECOND = 1_000;
const HOUR = 3_600 * SECOND;
const SLACK_MS = 2_000;
const NO = 'R20261203001';

const order = (extra: Partial<RefundOrderSnapshot> = {}): RefundOrderSnapshot => ({
  sn: '7894259244067349',
  clientSn: 'C1',
  terminalSn: '100000000000000001',
  orderStatus: 'PAID',
  totalAmountFen: 1000,
  netAmountFen: 1000,
  ...extra,
});
const paidLook: GatewayCallResult = { operation: 'query', kind: 'success', reason: 'SUCCESS PAID', order: order() };
const refundError: GatewayCallResult = {
  operation: 'refund',
  kind: 'unknown',
  reason: 'REFUND_ERROR',
  bizResultCode: 'REFUND_ERROR',
};
const ourRefundDone: GatewayCallResult = {
  operation: 'query',
  kind: 'success',
  reason: 'SUCCESS PARTIAL_REFUNDED',
  order: order({ orderStatus: 'PARTIAL_REFUNDED', netAmountFen: 700, refundRequestNo: NO, flowStatus: 'SUCCESS' }),
};

interface Script {
  /** The answer to each query after the look, by virtual time since the start. */
  check(sinceStartMs: number): GatewayCallResult;
  /** The refund is expected to end in NEEDS_ATTENTION. */
  escalates?: boolean;
}

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundleOption;
let n = 0;

beforeAll(async () => {
  env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: toEphemeralExecutable(resolveBinary(TEMPORAL_TEST_SERVER)) },
  });
  const searchAttributes = Object.fromEntries(
    PAYMENT_SEARCH_ATTRIBUTES.map((key) => [key.name, encodeSearchAttributeIndexedValueType(key.type)!]),
  );
  await env.connection.operatorService.addSearchAttributes({ namespace: env.namespace, searchAttributes });
  const codePath = process.env[WORKFLOW_BUNDLE_ENV];
  bundle = codePath
    ? { codePath }
    : await bundleWorkflowCode({
        workflowsPath: require.resolve('../../workflows'),
        logger: new DefaultLogger('WARN'),
      });
});

afterAll(async () => {
  await env?.teardown();
});

/** Runs one refund to its outcome with the fake gateway; returns its status and the refund calls' virtual times. */
async function runRefund(script: Script): Promise<{ status: RefundStatus; refundsAt: number[]; startedAt: number }> {
  n += 1;
  const taskQueue = `refund-schedule-${n}`;
  const refundsAt: number[] = [];
  let startedAt = 0;
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: bundle,
    activities: {
      admitRefund,
      queryRefund: async (input: RefundQueryInput) =>
        Promise.resolve(
          input.refundRequestNo === undefined ? paidLook : script.check((await env.currentTimeMs()) - startedAt),
        ),
      refundOrder: async (input: RefundCallInput) => {
        expect(input.refundRequestNo).toBe(NO); // the same number on every attempt
        refundsAt.push((await env.currentTimeMs()) - startedAt);
        return refundError;
      },
    },
  });
  const request: RefundRequest = {
    terminalSn: '100000000000000001',
    clientSn: 'C1',
    refundRequestNo: NO,
    amountFen: 300,
    operator: 'returns-desk-1',
  };
  const status = await worker.runUntil(async () => {
    startedAt = await env.currentTimeMs();
    const handle = await env.client.workflow.start('refundSaga', {
      workflowId: `refund-${n}`,
      taskQueue,
      args: [request],
    });
    // REFUNDED closes the workflow; NEEDS_ATTENTION waits for a person (no timer, so awaiting the result
    // would skip to the run's timeout): move the clock past the deadline and its doubt, then look.
    let outcome: RefundStatus;
    if (script.escalates) {
      await env.sleep(HOUR + 3 * 60 * SECOND);
      outcome = await handle.query(refundStatusQuery);
    } else {
      outcome = (await handle.result()) as RefundStatus;
    }
    if (outcome.state === 'NEEDS_ATTENTION')
      await handle.signal('resolve', { operator: 'ops', resolution: 'NOT_REFUNDED', note: 'checked' });
    await handle.result();
    return outcome;
  });
  return { status, refundsAt, startedAt };
}

describe('refund schedule on virtual time (production timing)', () => {
  it('retries REFUND_ERROR on the doubling schedule with the same number until the hour is up, then a person', async () => {
    const notShown: GatewayCallResult = { operation: 'query', kind: 'success', reason: 'SUCCESS PAID', order: order() };
    const { status, refundsAt, startedAt } = await runRefund({ check: () => notShown, escalates: true });
    expect(status.state).toBe('NEEDS_ATTENTION');
    expect(status.escalation?.reason).toMatch(/no definite refund answer before the deadline/);
    // 0, 5, 15, 35, 75, 155, 315 s, then every 5 min: nothing starts at or after the deadline.
    const nominal = [0, 5, 15, 35, 75, 155, 315].map((s) => s * SECOND);
    for (let t = 615 * SECOND; t < HOUR; t += 300 * SECOND) nominal.push(t);
    expect(refundsAt).toHaveLength(nominal.length);
    refundsAt.forEach((at, i) => expect(at - nominal[i]!).toBeGreaterThanOrEqual(0));
    refundsAt.forEach((at, i) => expect(at - nominal[i]!).toBeLessThan(SLACK_MS * (i + 1)));
    expect(Math.max(...refundsAt)).toBeLessThan(HOUR);
    // The last refund was in doubt: waited out by query (60 s) before the person is asked.
    expect(status.escalation!.at - startedAt).toBeGreaterThanOrEqual(refundsAt.at(-1)! + 60 * SECOND);
    expect(status.calls.filter((c) => c.step === 'refund').every((c) => c.kind === 'unknown')).toBe(true);
  });

  it('stops as soon as a query by refund_request_no shows the refund landed (after 20 min): REFUNDED, no more refunds', async () => {
    const landsAt = 20 * 60 * SECOND;
    const { status, refundsAt } = await runRefund({
      check: (t) => (t >= landsAt ? ourRefundDone : { ...paidLook }),
    });
    expect(status.state).toBe('REFUNDED');
    expect(Math.max(...refundsAt)).toBeGreaterThanOrEqual(landsAt - 300 * SECOND);
    expect(Math.max(...refundsAt)).toBeLessThan(landsAt + SLACK_MS * 20);
  });
});

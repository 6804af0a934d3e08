/**
 * The refund workflow's paths in the history corpus (issue #16), recorded apart from the payment paths
 * (paths.ts, record.ts) so either can be re-recorded without the other:
 * `npx tsx scripts/histories/refund-paths.ts` (optionally `HISTORY_PATHS_ONLY=refund-full,…`) starts its
 * own dev server, simulator and worker, pays an order per path, runs the refund to its end, checks the
 * final state (a wrong run is never saved) and writes `test/histories/<name>.json` as
 * `temporal workflow show -o json` prints it. test/replay/corpus.test.ts replays every file there.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { PaymentsClient } from '../../client/payments-client';
import { RefundsClient } from '../../client/refunds-client';
import type { Scenario } from '../../simulator';
import type { RefundRequest, RefundState, RefundTimingOverrides } from '../../workflows/refund-types';
import { startEmbeddedStack } from '../stack/embedded-stack';
import { freePort } from '../stack/ports';
import { TEMPORAL_CLI, resolveBinary } from '../toolchain/temporal-binaries';
import { exportWithCli } from './export';
import { RECORDING_TERMINAL, RECORDING_TIMING } from './paths';

/** Short refund timing: a retry a second, a deadline in seconds, doubt 2 s. */
export const REFUND_RECORDING_TIMING: RefundTimingOverrides = {
  retryDelaysMs: [1_000],
  deadlineAfterMs: 6_000,
  requestDoubtMs: 2_000,
  checkIntervalMs: 500,
};

/** One refund path of the corpus: a file `test/histories/<name>.json`. */
export interface RefundHistoryPath {
  name: string;
  finalState: RefundState;
  /** Of the 1234 fen paid. */
  amountFen: number;
  /** The simulator's knobs for the paid order. */
  scenario?: Scenario;
  /** An operator's resolution, sent once the refund waits for a person. */
  resolve?: 'NOT_REFUNDED' | 'REFUNDED';
}

export const REFUND_PATHS: RefundHistoryPath[] = [
  { name: 'refund-full', finalState: 'REFUNDED', amountFen: 1234 },
  { name: 'refund-refused-over-net', finalState: 'REFUSED', amountFen: 2000 },
  {
    name: 'refund-answer-lost-found-by-number',
    finalState: 'REFUNDED',
    amountFen: 500,
    scenario: { refund: [{ fault: 'reset', commit: true }] },
  },
  {
    name: 'refund-in-progress-then-refunded',
    finalState: 'REFUNDED',
    amountFen: 500,
    scenario: { refund: [{ effectAfterMs: 1_500, meanwhile: 'REFUND_INPROGRESS', reply: 'in-progress' }] },
  },
  {
    name: 'refund-needs-attention-then-resolved',
    finalState: 'NOT_REFUNDED',
    amountFen: 300,
    scenario: { refund: Array.from({ length: 20 }, () => 'REFUND_ERROR' as const) },
    resolve: 'NOT_REFUNDED',
  },
  // Issue #16 part 3 (patch payment-knows-refunds): the payment's workflow is open, so it is told, twice
  // (REFUNDING before the refund is sent, REFUNDED once it is done): two SignalExternalWorkflowExecution.
  { name: 'refund-tells-open-payment', finalState: 'REFUNDED', amountFen: 600 },
];

const HISTORIES_DIR = path.resolve(__dirname, '../../test/histories');

/** Pays an order, refunds it along `p`, and returns the refund's workflow id once it closed as expected. */
export async function recordRefund(
  payments: PaymentsClient,
  refunds: RefundsClient,
  sim: { setScenario(clientSn: string, scenario: Scenario): void },
  p: RefundHistoryPath,
): Promise<string> {
  const clientSn = `corpus-${p.name}`.slice(0, 32);
  if (p.scenario) sim.setScenario(clientSn, p.scenario);
  const paid = await payments.pay({
    terminalSn: RECORDING_TERMINAL.terminalSn,
    clientSn,
    amountFen: 1234,
    dynamicId: '130818341921441147',
    subject: '测试商品',
    operator: 'cashier-01',
    timing: RECORDING_TIMING,
  });
  if (paid.status.state !== 'PAID') throw new Error(`${p.name}: the payment ended ${paid.status.state}`);
  const request: RefundRequest = {
    terminalSn: RECORDING_TERMINAL.terminalSn,
    clientSn,
    refundRequestNo: `R-${p.name}`.slice(0, 20),
    amountFen: p.amountFen,
    operator: 'returns-desk-1',
    reason: 'customer returned the goods',
    timing: REFUND_RECORDING_TIMING,
  };
  const { workflowId, status } = await refunds.refund(request);
  if (p.resolve && status.state === 'NEEDS_ATTENTION')
    await refunds.resolve(request, { operator: 'ops-lead', resolution: p.resolve, note: 'checked with 收钱吧' });
  const final = await refunds.result(request);
  if (final.state !== p.finalState) {
    const calls = final.calls.map((c) => `${c.step}:${c.errorCode ?? c.bizResultCode ?? c.kind}`).join(', ');
    throw new Error(`${p.name}: closed ${final.state} (${calls}), expected ${p.finalState}; not saved`);
  }
  return workflowId;
}

async function main(): Promise<void> {
  const cliPath = resolveBinary(TEMPORAL_CLI).path;
  if (!cliPath) throw new Error('no Temporal CLI found: run `npm run toolchain` (or set TEMPORAL_CLI_PATH)');
  const only = process.env.HISTORY_PATHS_ONLY?.split(',').map((s) => s.trim());
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'refund-histories-'));
  const stack = await startEmbeddedStack({
    host: '127.0.0.1',
    port: await freePort(),
    uiPort: await freePort(),
    dbFile: path.join(dataDir, 'temporal.sqlite'),
    taskQueue: 'histories-recording',
    simulator: { port: 0, terminals: [RECORDING_TERMINAL] },
  });
  const connection = await Connection.connect({ address: stack.address });
  const client = new Client({ connection });
  const payments = new PaymentsClient(client, stack.config.taskQueue);
  const refunds = new RefundsClient(client, stack.config.taskQueue);
  try {
    const chosen = REFUND_PATHS.filter((p) => !only || only.includes(p.name));
    const settled = await Promise.allSettled(chosen.map((p) => recordRefund(payments, refunds, stack.sim!, p)));
    const failures = settled.flatMap((s) => (s.status === 'rejected' ? [String(s.reason)] : []));
    if (failures.length > 0) throw new Error(`recording failed, nothing saved:\n${failures.join('\n')}`);
    for (const [i, p] of chosen.entries()) {
      const workflowId = (settled[i] as PromiseFulfilledResult<string>).value;
      const history = await exportWithCli(cliPath, stack.address, workflowId);
      await writeFile(path.join(HISTORIES_DIR, `${p.name}.json`), `${JSON.stringify(history, null, 2)}\n`);
      console.log(`recorded ${p.name} (${p.finalState})`);
    }
  } finally {
    await connection.close();
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}

/**
 * `npm run histories:record`: regenerates test/histories/ from real runs — a Temporal dev server
 * (with its Web UI), the gateway simulator and the real worker — one history per saga path and per
 * terminal check-in path.
 * Files recorded by earlier code under test/histories/legacy/ are never touched.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { PaymentsClient } from '../../client/payments-client';
import { paymentWorkflowId, type PaymentRequest, type PaymentStatus } from '../../workflows/types';
import { startEmbeddedStack } from '../stack/embedded-stack';
import { freePort } from '../stack/ports';
import { TEMPORAL_CLI, resolveBinary } from '../toolchain/temporal-binaries';
import { CHECKIN_PATHS, recordCheckin } from './checkin-paths';
import { exportAsUiDownload, exportWithCli } from './export';
import { HISTORY_PATHS, RECORDING_TERMINAL, RECORDING_TIMING, type HistoryPath, type RecordingContext } from './paths';

export const HISTORIES_DIR = path.resolve(__dirname, '../../test/histories');
/**
 * `HISTORY_PATHS_ONLY=a,b npm run histories:record` records only the paths named; the others keep the
 * histories recorded by the code they ran under (older histories replay the unpatched branches).
 */
const ONLY = process.env.HISTORY_PATHS_ONLY?.split(',').map((s) => s.trim());
/** Paths also saved in the Web UI's download format, to prove both formats load. */
const UI_DOWNLOAD_PATHS = ['happy'];

async function main(): Promise<void> {
  const cliPath = resolveBinary(TEMPORAL_CLI).path;
  if (!cliPath) throw new Error('no Temporal CLI found: run `npm run toolchain` (or set TEMPORAL_CLI_PATH)');
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'histories-'));
  const stack = await startEmbeddedStack({
    host: '127.0.0.1',
    port: await freePort(),
    uiPort: await freePort(),
    dbFile: path.join(dataDir, 'temporal.sqlite'),
    taskQueue: 'histories-recording',
    simulator: { port: 0, terminals: [RECORDING_TERMINAL] },
    checkin: true,
  });
  const { address, sim } = stack;
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  const payments = new PaymentsClient(client, stack.config.taskQueue);
  const ctx: RecordingContext = {
    payments,
    client,
    taskQueue: stack.config.taskQueue,
    sim: sim!,
    waitFor: (request, predicate) => payments.waitFor(request, predicate),
  };
  try {
    await mkdir(path.join(HISTORIES_DIR, 'ui-download'), { recursive: true });
    const settled = await Promise.allSettled(
      HISTORY_PATHS.map((p, i) => [p, i] as const)
        .filter(([p]) => !ONLY || ONLY.includes(p.name))
        .map(([p, i]) => recordPath(ctx, client, p, i)),
    );
    const failures = settled.flatMap((s) => (s.status === 'rejected' ? [String(s.reason)] : []));
    if (failures.length > 0) throw new Error(`recording failed, nothing saved:\n${failures.join('\n')}`);
    const recorded = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    for (const { path: p, workflowId, runId } of recorded) {
      const history = await exportWithCli(cliPath, address, workflowId);
      await writeJson(path.join(HISTORIES_DIR, `${p.name}.json`), history);
      if (UI_DOWNLOAD_PATHS.includes(p.name)) {
        const download = await exportAsUiDownload(stack.uiUrl, workflowId, runId);
        await writeJson(path.join(HISTORIES_DIR, 'ui-download', `${p.name}.json`), download);
      }
      console.log(`recorded ${p.name} (${p.finalState})`);
    }
    // One after the other: an on-demand check-in joins the one already running for its terminal.
    for (const p of CHECKIN_PATHS.filter((c) => !ONLY || ONLY.includes(c.name))) {
      const workflowId = await recordCheckin(client, sim!, stack.config.taskQueue, p);
      await writeJson(path.join(HISTORIES_DIR, `${p.name}.json`), await exportWithCli(cliPath, address, workflowId));
      console.log(`recorded ${p.name}`);
    }
  } finally {
    await connection.close();
    await stack.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function recordPath(ctx: RecordingContext, client: Client, p: HistoryPath, index: number) {
  const request: PaymentRequest = {
    terminalSn: RECORDING_TERMINAL.terminalSn,
    clientSn: `corpus-${String(index + 1).padStart(2, '0')}-${p.name}`.slice(0, 32),
    amountFen: 1234,
    dynamicId: '130818341921441147',
    subject: '测试商品',
    operator: 'cashier-01',
    timing: p.timing ?? RECORDING_TIMING,
  };
  if (p.scenario) ctx.sim.setScenario(request.clientSn, p.scenario);
  await p.run(ctx, request);
  const handle = client.workflow.getHandle(paymentWorkflowId(request.terminalSn, request.clientSn));
  const final = (await handle.result()) as PaymentStatus;
  if (final.state !== p.finalState) {
    const calls = final.calls.map((c) => `${c.operation}:${c.errorCode ?? c.bizResultCode ?? c.kind}`).join(', ');
    throw new Error(`${p.name}: closed ${final.state} (${calls}), expected ${p.finalState}; not saved`);
  }
  const { runId } = await handle.describe();
  return { path: p, workflowId: handle.workflowId, runId };
}

async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});

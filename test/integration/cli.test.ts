import { execFile } from 'node:child_process';
import path from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { TERMINAL_SN, expectConsistent, ledgerOrder, useSagaStack, type SagaStack } from '../helpers/saga-stack';

const REPO = path.resolve(__dirname, '..', '..');

interface CliRun {
  code: number;
  out: Record<string, unknown> & { status?: { state?: string } };
}

/** `npm run client -- …`'s program as a real process: one JSON object on stdout, an exit code. */
function client(stack: SagaStack, ...args: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'client/main.ts', ...args],
      {
        cwd: REPO,
        env: {
          ...process.env,
          TEMPORAL_ADDRESS: process.env.TEMPORAL_TEST_ADDRESS,
          TEMPORAL_TASK_QUEUE: stack.taskQueue,
          SQB_TERMINAL_SN: TERMINAL_SN,
        },
      },
      (err, stdout, stderr) => {
        const code = err ? Number((err as { code?: number }).code ?? 1) : 0;
        try {
          resolve({ code, out: JSON.parse(stdout || stderr) as CliRun['out'] });
        } catch {
          reject(new Error(`not one JSON object (exit ${code}): ${stdout}${stderr}`));
        }
      },
    );
  });
}

const SHORT = '{"confirmIntervalMs":300,"confirmWindowMs":900,"cancelDelaysMs":[1000]}';
let n = 0;
const clientSn = () => `CLI${Date.now().toString(36)}${process.pid.toString(36)}${++n}`;
const pay = (stack: SagaStack, sn: string, dynamicId: string) =>
  client(
    stack,
    'pay',
    '--client-sn',
    sn,
    '--amount',
    '100',
    '--dynamic-id',
    dynamicId,
    '--subject',
    'coffee',
    '--operator',
    'cashier-1',
    '--timing',
    SHORT,
  );

/** The CLI through every kind of outcome, with its exit codes (0 ok, 2 invalid, 3 not paid, 4 unknown). */
describe('CLI (npm run client)', () => {
  const stack = useSagaStack();

  it('pays, revokes by update, and refuses a second revoke', async () => {
    const sn = clientSn();
    const paid = await pay(stack, sn, '130818341921441147');
    expect(paid).toMatchObject({ code: 0, out: { outcome: 'PAID', workflowId: `upay-${TERMINAL_SN}-${sn}` } });
    const revoked = await client(stack, 'revoke', '--client-sn', sn, '--operator', 'ops', '--reason', 'returned');
    expect(revoked).toMatchObject({ code: 0, out: { state: 'REVOKED' } });
    const again = await client(stack, 'revoke', '--client-sn', sn, '--operator', 'ops', '--reason', 'again');
    expect(again.code).toBe(3);
    expect(String(again.out.error)).toMatch(/rejected/);
    expect(ledgerOrder(stack.sim, sn)?.order_status).toBe('CANCELED');
  });

  it('exits 3 on a definite failure and 0 on an unknown pay that a query confirms', async () => {
    const [failed, confirmed] = await Promise.all([
      pay(stack, clientSn(), 'sim-fail-expired-barcode'),
      pay(stack, clientSn(), 'sim-reset'),
    ]);
    expect(failed).toMatchObject({ code: 3, out: { outcome: 'FAILED' } });
    expect(confirmed).toMatchObject({ code: 0, out: { outcome: 'PAID' } });
  });

  it('exits 4 on NEEDS_ATTENTION; resolve and status then show the decision', async () => {
    const sn = clientSn();
    expect(await pay(stack, sn, 'sim-in-progress-not-refundable')).toMatchObject({
      code: 4,
      out: { outcome: 'NEEDS_ATTENTION' },
    });
    const resolved = await client(
      stack,
      'resolve',
      '--client-sn',
      sn,
      '--operator',
      'ops-lead',
      '--resolution',
      'FAILED',
      '--note',
      'never settled',
    );
    expect(resolved.code).toBe(0);
    const status = await client(stack, 'status', '--client-sn', sn);
    expect(status).toMatchObject({ code: 0, out: { state: 'FAILED' } });
    await expectConsistent(stack, await stack.payments.status({ terminalSn: TERMINAL_SN, clientSn: sn }));
  });

  it('exits 2 on bad input, naming the field and the flag, and starts nothing', async () => {
    const sn = clientSn();
    const bad = await client(
      stack,
      'pay',
      '--client-sn',
      sn,
      '--amount',
      '0',
      '--dynamic-id',
      'x',
      '--subject',
      's',
      '--operator',
      'o',
    );
    expect(bad.code).toBe(2);
    expect(String(bad.out.error)).toMatch(/amountFen \(--amount\)/);
    await expect(stack.payments.status({ terminalSn: TERMINAL_SN, clientSn: sn })).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
    expect(ledgerOrder(stack.sim, sn)).toBeUndefined();
  });
});

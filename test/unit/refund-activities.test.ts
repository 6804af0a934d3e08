import { MockActivityEnvironment } from '@temporalio/testing';
import { Pool } from 'undici';
import { GatewayClient } from '../../activities/gateway/client';
import {
  admitRefund,
  createRefundActivities,
  type RefundCallInput,
  type RefundQueryInput,
} from '../../activities/refund-activities';
import { startSimulator, type RunningSimulator } from '../../simulator';
import { refundNoOf } from '../../workflows/refund-types';
import type { GatewayCallResult } from '../../workflows/types';

/**
 * The refund activities against the gateway simulator over HTTP (MockActivityEnvironment): the wire request
 * (same refund_request_no, amount as fen digits), the refund number read back from answers, the refund's
 * send deadline (R5), and admission naming the field. Nothing here sends the terminal key anywhere.
 */
const TERMINAL_SN = '100000000000000055';
const KEY = '0123456789abcdef0123456789abcdef';
const INFO = { startToCloseTimeoutMs: 50_000, heartbeatTimeoutMs: 10_000 };

describe('refund activities', () => {
  let sim: RunningSimulator;
  let pool: Pool;
  let gateway: GatewayClient;
  let activities: ReturnType<typeof createRefundActivities>;

  beforeAll(async () => {
    sim = await startSimulator({ port: 0, terminals: [{ terminalSn: TERMINAL_SN, terminalKey: KEY }] });
    pool = new Pool(sim.url);
    gateway = new GatewayClient({ apiDomain: sim.url, dispatcher: pool, terminalKey: () => KEY });
    activities = createRefundActivities({ gateway });
  });
  afterAll(async () => {
    await pool.close();
    await sim.close();
  });

  const refund = (env: MockActivityEnvironment, input: RefundCallInput) =>
    env.run<[RefundCallInput], GatewayCallResult, typeof activities.refundOrder>(activities.refundOrder, input);
  const query = (env: MockActivityEnvironment, input: RefundQueryInput) =>
    env.run<[RefundQueryInput], GatewayCallResult, typeof activities.queryRefund>(activities.queryRefund, input);

  async function paid(clientSn: string): Promise<void> {
    const pay = await gateway.pay({
      terminal_sn: TERMINAL_SN,
      client_sn: clientSn,
      total_amount: '1000',
      dynamic_id: '130818341921441147',
      subject: 's',
      operator: 'o',
    });
    expect(pay.kind).toBe('success');
  }

  it('sends refund_request_no, the amount in fen digits and the operator; reads the refund number back', async () => {
    await paid('RA-1');
    const env = new MockActivityEnvironment(INFO);
    const input = {
      terminalSn: TERMINAL_SN,
      clientSn: 'RA-1',
      refundRequestNo: 'R-1',
      amountFen: 250,
      operator: 'desk',
    };
    const answer = await refund(env, input);
    expect(answer).toMatchObject({ operation: 'refund', kind: 'success', bizResultCode: 'REFUND_SUCCESS' });
    expect(refundNoOf(answer)).toBe('R-1');
    const logged = sim.ledger().requests.filter((r) => r.endpoint.endsWith('refund'));
    expect(logged).toEqual([expect.objectContaining({ refund_request_no: 'R-1', refund_amount: '250' })]);
    const check = await query(env, {
      terminalSn: TERMINAL_SN,
      clientSn: 'RA-1',
      refundRequestNo: 'R-1',
    });
    expect(check).toMatchObject({ kind: 'success', order: { orderStatus: 'PARTIAL_REFUNDED', flowStatus: 'SUCCESS' } });
    expect(refundNoOf(check)).toBe('R-1');
    expect(JSON.stringify([answer, check])).not.toContain(KEY);
  });

  it('holds back a refund whose deadline has passed: not sent, unknown, nothing at the gateway (R5)', async () => {
    await paid('RA-2');
    const before = sim.ledger().requests.length;
    const env = new MockActivityEnvironment(INFO);
    const answer = await refund(env, {
      terminalSn: TERMINAL_SN,
      clientSn: 'RA-2',
      refundRequestNo: 'R-2',
      amountFen: 1,
      operator: 'desk',
      sendBy: Date.now() - 1,
    });
    expect(answer).toMatchObject({ kind: 'unknown', transportError: 'SEND_DEADLINE' });
    expect(sim.ledger().requests).toHaveLength(before);
  });

  it('admits a valid request with its timing, and names every problem of a bad one', async () => {
    const good = { terminalSn: TERMINAL_SN, clientSn: 'C', refundRequestNo: 'R', amountFen: 1, operator: 'o' };
    await expect(admitRefund({ request: good, startedAt: 0 })).resolves.toMatchObject({
      admitted: true,
      timing: { deadline: 3_600_000 },
    });
    const bad = await admitRefund({ request: { ...good, amountFen: -1, operator: undefined as never }, startedAt: 0 });
    expect(bad).toEqual({
      admitted: false,
      problems: [
        { field: 'amountFen', problem: 'must be positive' },
        { field: 'operator', problem: 'is required' },
      ],
    });
  });
});

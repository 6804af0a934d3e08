import type { RunningSimulator } from '../../simulator';
import { UPAY_TCP_ORDER_NOT_REFUNDABLE } from '../../simulator';
import { allScalarsAreStrings, BASE_MS, call, newClientSn, orderOf, pay, startTestSimulator } from './helpers';

const NOOP = {
  result_code: 'FAIL',
  error_code: 'UPAY_CANCEL_ORDER_NOOP',
  error_message: '无效操作，订单已经是撤单状态了',
};
const INVALID_STATE = { result_code: 'FAIL', error_code: 'UPAY_CANCEL_INVALID_ORDER_STATE' };

describe('simulator cancel and revoke', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator();
  });
  afterEach(() => sim.reset());
  afterAll(() => sim.close());

  async function paidOrder(): Promise<string> {
    const clientSn = newClientSn();
    await pay(sim, clientSn);
    return clientSn;
  }

  async function createdOrder(extra = {}): Promise<string> {
    const clientSn = newClientSn();
    sim.setScenario(clientSn, {
      pay: { result: 'PAY_IN_PROGRESS', settle: { to: 'PAID', afterMs: 30_000 } },
      ...extra,
    });
    await pay(sim, clientSn);
    return clientSn;
  }

  describe('cancel', () => {
    it('aborts a CREATED pay: CANCEL_ABORT_SUCCESS, order PAY_CANCELED, no money moved', async () => {
      const clientSn = await createdOrder();
      const res = await call(sim, 'cancel', { client_sn: clientSn });
      expect(res.biz_response).toMatchObject({
        result_code: 'CANCEL_ABORT_SUCCESS',
        data: { order_status: 'PAY_CANCELED', client_sn: clientSn },
      });
      expect(allScalarsAreStrings(res)).toBe(true);
      expect(orderOf(sim, clientSn)).toMatchObject({ order_status: 'PAY_CANCELED', movements: [], kept_fen: 0 });
    });

    it('never lets a late settle to PAID happen after an abort', async () => {
      const clientSn = await createdOrder();
      await call(sim, 'cancel', { client_sn: clientSn });
      sim.setClockOffset(60_000);
      expect((await call(sim, 'query', { client_sn: clientSn })).biz_response?.data?.order_status).toBe('PAY_CANCELED');
      expect(orderOf(sim, clientSn).captured_fen).toBe(0);
    });

    it('aborts to CANCELED when the scenario says so', async () => {
      const clientSn = await createdOrder({ abortTo: 'CANCELED' });
      const res = await call(sim, 'cancel', { client_sn: clientSn });
      expect(res.biz_response).toMatchObject({
        result_code: 'CANCEL_ABORT_SUCCESS',
        data: { order_status: 'CANCELED', net_amount: '1000' },
      });
      expect((await call(sim, 'cancel', { client_sn: clientSn })).biz_response).toEqual(NOOP);
    });

    it('aborts a held pay: the held pay then answers PAY_FAIL and the order is never captured', async () => {
      const clientSn = newClientSn();
      sim.setScenario(clientSn, { pay: { holdMs: 300 } });
      const pending = pay(sim, clientSn);
      await new Promise((r) => setTimeout(r, 100));
      const cancel = await call(sim, 'cancel', { client_sn: clientSn });
      expect(cancel.biz_response?.result_code).toBe('CANCEL_ABORT_SUCCESS');
      const answer = await pending;
      expect(answer.biz_response).toMatchObject({ result_code: 'PAY_FAIL', data: { order_status: 'PAY_CANCELED' } });
      expect(orderOf(sim, clientSn).captured_fen).toBe(0);
    });

    it('reverses a PAID order the same day: CANCEL_SUCCESS, CANCELED, net_amount 0, kept 0', async () => {
      const clientSn = await paidOrder();
      const res = await call(sim, 'cancel', { client_sn: clientSn });
      expect(res.biz_response).toMatchObject({
        result_code: 'CANCEL_SUCCESS',
        data: { order_status: 'CANCELED', status: 'SUCCESS', net_amount: '0', total_amount: '1000' },
      });
      expect(orderOf(sim, clientSn)).toMatchObject({ captured_fen: 1000, reversed_fen: 1000, kept_fen: 0 });
    });

    it('is a no-op on an already CANCELED order, and never reverses twice', async () => {
      const clientSn = await paidOrder();
      await call(sim, 'cancel', { client_sn: clientSn });
      expect((await call(sim, 'cancel', { client_sn: clientSn })).biz_response).toEqual(NOOP);
      expect((await call(sim, 'revoke', { client_sn: clientSn })).biz_response).toEqual(NOOP);
      const sn = orderOf(sim, clientSn).sn;
      expect(sim.ledger().counters.reversals_by_sn[sn]).toBe(1);
    });

    it('is a no-op on a PAY_CANCELED order (failed pay or earlier abort)', async () => {
      const failed = newClientSn();
      sim.setScenario(failed, { pay: { result: 'PAY_FAIL' } });
      await pay(sim, failed);
      expect((await call(sim, 'cancel', { client_sn: failed })).biz_response).toEqual(NOOP);
      const aborted = await createdOrder();
      await call(sim, 'cancel', { client_sn: aborted });
      expect((await call(sim, 'cancel', { client_sn: aborted })).biz_response).toEqual(NOOP);
    });

    it.each([
      ['partially', '300'],
      ['fully', '1000'],
    ])('refuses a %s refunded order with UPAY_CANCEL_INVALID_ORDER_STATE', async (_label, amount) => {
      const clientSn = await paidOrder();
      await call(sim, 'refund', {
        client_sn: clientSn,
        refund_request_no: 'r1',
        refund_amount: amount,
        operator: 'op',
      });
      expect((await call(sim, 'cancel', { client_sn: clientSn })).biz_response).toMatchObject(INVALID_STATE);
      expect((await call(sim, 'revoke', { client_sn: clientSn })).biz_response).toMatchObject(INVALID_STATE);
      expect(orderOf(sim, clientSn).reversed_fen).toBe(0);
    });

    it('refuses a PAID order from an earlier Asia/Shanghai day', async () => {
      const clientSn = await paidOrder();
      sim.setClockOffset(24 * 3600_000);
      expect((await call(sim, 'cancel', { client_sn: clientSn })).biz_response).toMatchObject(INVALID_STATE);
      expect(orderOf(sim, clientSn).order_status).toBe('PAID');
    });

    it('refuses when the day ends right after the capture (scenario dayEndsAfterPay), cancel and revoke alike', async () => {
      const clientSn = newClientSn();
      sim.setScenario(clientSn, { dayEndsAfterPay: true });
      await pay(sim, clientSn);
      expect((await call(sim, 'cancel', { client_sn: clientSn })).biz_response).toMatchObject(INVALID_STATE);
      expect((await call(sim, 'revoke', { client_sn: clientSn })).biz_response).toMatchObject(INVALID_STATE);
      expect(orderOf(sim, clientSn)).toMatchObject({
        order_status: 'PAID',
        kept_fen: orderOf(sim, clientSn).captured_fen,
      });
    });

    it('runs a scripted sequence, one answer per call, leaving the order unchanged until the real cancel', async () => {
      const clientSn = await createdOrder({ cancel: ['CANCEL_IN_PROGRESS', 'CANCEL_ERROR', 'CANCEL_SUCCESS'] });
      const answers = [];
      for (let i = 0; i < 4; i += 1) {
        const res = await call(sim, 'cancel', { client_sn: clientSn });
        answers.push(res.biz_response?.result_code ?? res.biz_response?.error_code);
        if (i < 2) expect(orderOf(sim, clientSn).order_status).toBe('CREATED');
      }
      expect(answers).toEqual(['CANCEL_IN_PROGRESS', 'CANCEL_ERROR', 'CANCEL_ABORT_SUCCESS', 'FAIL']);
      expect(orderOf(sim, clientSn).order_status).toBe('PAY_CANCELED');
    });

    it('answers CANCEL_ERROR + UPAY_TCP_ORDER_NOT_REFUNDABLE and leaves the PAID order alone', async () => {
      const clientSn = newClientSn();
      sim.setScenario(clientSn, { cancel: [UPAY_TCP_ORDER_NOT_REFUNDABLE] });
      await pay(sim, clientSn);
      const res = await call(sim, 'cancel', { client_sn: clientSn });
      expect(res.biz_response).toEqual({
        result_code: 'CANCEL_ERROR',
        error_code: 'UPAY_TCP_ORDER_NOT_REFUNDABLE',
        error_message: '订单参与了活动并且无法撤销',
      });
      expect(orderOf(sim, clientSn)).toMatchObject({ order_status: 'PAID', kept_fen: 1000 });
    });

    it('cancels then loses the answer (reset): the retry sees UPAY_CANCEL_ORDER_NOOP', async () => {
      const clientSn = await createdOrder({ cancel: [{ fault: 'reset' }] });
      await expect(call(sim, 'cancel', { client_sn: clientSn })).rejects.toThrow();
      expect(orderOf(sim, clientSn).order_status).toBe('PAY_CANCELED');
      expect((await call(sim, 'cancel', { client_sn: clientSn })).biz_response).toEqual(NOOP);
    });

    it('answers a top-level 500 without cancelling when the fault is not committed', async () => {
      const clientSn = await createdOrder({ cancel: [{ fault: 'system-error', commit: false }] });
      const res = await call(sim, 'cancel', { client_sn: clientSn });
      expect(res).toMatchObject({ result_code: '500', error_code: 'UNKNOWN_SYSTEM_ERROR' });
      expect(orderOf(sim, clientSn).order_status).toBe('CREATED');
    });
  });

  describe('revoke', () => {
    it('reverses a PAID order the same day, once', async () => {
      const clientSn = await paidOrder();
      const first = await call(sim, 'revoke', { client_sn: clientSn });
      expect(first.biz_response).toMatchObject({
        result_code: 'CANCEL_SUCCESS',
        data: { order_status: 'CANCELED', net_amount: '0' },
      });
      expect((await call(sim, 'revoke', { client_sn: clientSn })).biz_response).toEqual(NOOP);
      expect(orderOf(sim, clientSn)).toMatchObject({ reversed_fen: 1000, kept_fen: 0 });
      expect(orderOf(sim, clientSn).history.at(-1)).toMatchObject({ from: 'PAID', to: 'CANCELED', cause: 'revoke' });
    });

    it('refuses CREATED and PAY_CANCELED orders', async () => {
      const created = await createdOrder();
      expect((await call(sim, 'revoke', { client_sn: created })).biz_response).toMatchObject(INVALID_STATE);
      expect(orderOf(sim, created).order_status).toBe('CREATED');
      await call(sim, 'cancel', { client_sn: created });
      expect((await call(sim, 'revoke', { client_sn: created })).biz_response).toMatchObject(INVALID_STATE);
    });

    it('refuses after midnight Asia/Shanghai but allows just before it', async () => {
      // 23:59:00 Shanghai on the base day.
      const lateEvening = BASE_MS + 13 * 3600_000 + 59 * 60_000;
      sim.setClockOffset(lateEvening - BASE_MS);
      const before = await paidOrder();
      const after = await paidOrder();
      sim.setClockOffset(lateEvening - BASE_MS + 59_000);
      expect((await call(sim, 'revoke', { client_sn: before })).biz_response?.result_code).toBe('CANCEL_SUCCESS');
      sim.setClockOffset(lateEvening - BASE_MS + 60_000);
      expect((await call(sim, 'revoke', { client_sn: after })).biz_response).toMatchObject(INVALID_STATE);
    });

    it('runs its own scripted sequence independent of cancel', async () => {
      const clientSn = newClientSn();
      sim.setScenario(clientSn, { revoke: ['CANCEL_IN_PROGRESS', { answer: 'CANCEL_ERROR' }] });
      await pay(sim, clientSn);
      const codes = [];
      for (let i = 0; i < 3; i += 1)
        codes.push((await call(sim, 'revoke', { client_sn: clientSn })).biz_response?.result_code);
      expect(codes).toEqual(['CANCEL_IN_PROGRESS', 'CANCEL_ERROR', 'CANCEL_SUCCESS']);
    });

    it('finds the order by sn before client_sn', async () => {
      const a = await paidOrder();
      const b = await paidOrder();
      const res = await call(sim, 'revoke', { sn: orderOf(sim, a).sn, client_sn: b });
      expect(res.biz_response?.data?.client_sn).toBe(a);
      expect(orderOf(sim, b).order_status).toBe('PAID');
    });
  });
});

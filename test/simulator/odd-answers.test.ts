import type { RunningSimulator } from '../../simulator';
import { UNLISTED_ERROR_CODE } from '../../simulator';
import { call, newClientSn, orderOf, pay, startTestSimulator } from './helpers';
import { payWith, statusOf } from './unfriendly-helpers';

const REFUND = { refund_request_no: 'r1', refund_amount: '100', operator: 'op' };

/** Knob (g): result and error codes no document lists, on any operation. */
describe('simulator odd answers', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator();
  });
  afterEach(() => sim.reset());
  afterAll(() => sim.close());

  it('pay: PAY_WEIRD and nothing happens (no order)', async () => {
    const { clientSn, answer } = await payWith(sim, { pay: { odd: { resultCode: 'PAY_WEIRD' } } });
    expect(answer).toEqual({ result_code: '200', biz_response: { result_code: 'PAY_WEIRD' } });
    expect(await statusOf(sim, clientSn)).toBe('UPAY_ORDER_NOT_EXISTS');
    expect(sim.ledger().counters.pay_calls_by_client_sn[clientSn]).toBe(1);
  });

  it('pay with commit: the order is PAID while the answer is FAIL with an unlisted code', async () => {
    const odd = { resultCode: 'FAIL', errorCode: UNLISTED_ERROR_CODE, commit: true };
    const { clientSn, answer } = await payWith(sim, { pay: { odd } });
    expect(answer.biz_response).toMatchObject({
      result_code: 'FAIL',
      error_code: UNLISTED_ERROR_CODE,
      error_message: UNLISTED_ERROR_CODE,
      data: { order_status: 'PAID' },
    });
    expect(orderOf(sim, clientSn).kept_fen).toBe(1000);
  });

  it('query: an unlisted result code, then normal answers', async () => {
    const { clientSn } = await payWith(sim, { query: [{ odd: { resultCode: 'QUERY_WEIRD' } }] });
    expect((await call(sim, 'query', { client_sn: clientSn })).biz_response).toEqual({ result_code: 'QUERY_WEIRD' });
    expect(await statusOf(sim, clientSn)).toBe('PAID');
  });

  it('cancel: CANCEL_WEIRD leaves the order alone; with commit the order is reversed', async () => {
    const { clientSn } = await payWith(sim, {
      cancel: [{ odd: { resultCode: 'CANCEL_WEIRD' } }, { odd: { resultCode: 'CANCEL_WEIRD', commit: true } }],
    });
    expect((await call(sim, 'cancel', { client_sn: clientSn })).biz_response).toEqual({ result_code: 'CANCEL_WEIRD' });
    expect(await statusOf(sim, clientSn)).toBe('PAID');
    expect((await call(sim, 'cancel', { client_sn: clientSn })).biz_response).toMatchObject({
      result_code: 'CANCEL_WEIRD',
      data: { order_status: 'CANCELED' },
    });
    expect(orderOf(sim, clientSn).kept_fen).toBe(0);
  });

  it('revoke: FAIL with an unlisted code and its own message', async () => {
    const odd = { resultCode: 'FAIL', errorCode: 'UPAY_NEVER_SEEN', errorMessage: '未知' };
    const { clientSn } = await payWith(sim, { revoke: [{ odd }] });
    expect((await call(sim, 'revoke', { client_sn: clientSn })).biz_response).toEqual({
      result_code: 'FAIL',
      error_code: 'UPAY_NEVER_SEEN',
      error_message: '未知',
    });
    expect(await statusOf(sim, clientSn)).toBe('PAID');
  });

  it('refund: REFUND_WEIRD with commit refunds while the answer says nothing known', async () => {
    const { clientSn } = await payWith(sim, { refund: [{ odd: { resultCode: 'REFUND_WEIRD', commit: true } }] });
    const res = await call(sim, 'refund', { client_sn: clientSn, ...REFUND });
    expect(res.biz_response).toMatchObject({ result_code: 'REFUND_WEIRD', data: { order_status: 'PARTIAL_REFUNDED' } });
    expect(orderOf(sim, clientSn).refunded_fen).toBe(100);
  });

  it('top level: an unlisted result_code with no biz_response', async () => {
    const { answer } = await payWith(sim, {
      pay: { odd: { resultCode: '503', errorCode: 'SIM_BUSY', topLevel: true } },
    });
    expect(answer).toEqual({ result_code: '503', error_code: 'SIM_BUSY', error_message: 'SIM_BUSY' });
  });

  it.each([
    ['sim-odd-cancel', 'cancel', { result_code: 'CANCEL_WEIRD' }, 'PAID'],
    ['sim-odd-revoke-fail-commit', 'revoke', { result_code: 'FAIL', error_code: UNLISTED_ERROR_CODE }, 'CANCELED'],
    ['sim-odd-query', 'query', { result_code: 'QUERY_WEIRD' }, 'PAID'],
  ] as const)('barcode %s: the first %s answers %j, order then %s', async (barcode, op, biz, status) => {
    const clientSn = newClientSn();
    await pay(sim, clientSn, { dynamic_id: barcode });
    expect((await call(sim, op, { client_sn: clientSn })).biz_response).toMatchObject(biz);
    expect(await statusOf(sim, clientSn)).toBe(status);
  });

  it('barcode sim-odd-pay-top: a top-level 503 with an unlisted code, no order', async () => {
    const clientSn = newClientSn();
    expect(await pay(sim, clientSn, { dynamic_id: 'sim-odd-pay-top' })).toMatchObject({
      result_code: '503',
      error_code: UNLISTED_ERROR_CODE,
    });
    expect(await statusOf(sim, clientSn)).toBe('UPAY_ORDER_NOT_EXISTS');
  });
});

import { authorizationHeader } from '../../activities/gateway/signing';
import type { RunningSimulator } from '../../simulator';
import { call, newClientSn, payFields, postRaw, startTestSimulator, TERMINAL } from './helpers';
import { activate, activateFields, checkin, credentialsOf } from './terminal-helpers';

/**
 * Issue 16: where the simulator was stricter than the gateway real clients meet (the official demos, Omnipay):
 * optional fields sent as JSON null, unknown paths, /terminal/uploadLog.
 */
describe('simulator wire leniency', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator();
  });
  afterAll(() => sim.close());

  it('treats an optional field sent as null as absent on every /upay/v2 endpoint', async () => {
    const clientSn = newClientSn();
    const nulls = { payway: null, description: null, reflect: null, extended: null, goods_details: null };
    const paid = await call(sim, 'pay', payFields(clientSn, { ...nulls, longitude: null, latitude: null }));
    expect(paid.biz_response).toMatchObject({ result_code: 'PAY_SUCCESS', data: { order_status: 'PAID' } });
    expect(paid.biz_response?.data?.reflect).toBeUndefined();
    const sn = paid.biz_response?.data?.sn;
    const byClientSn = await call(sim, 'query', { sn: null, client_sn: clientSn, refund_request_no: null });
    expect(byClientSn.biz_response?.data?.sn).toBe(sn);
    const refund = await call(sim, 'refund', {
      sn,
      client_sn: null,
      refund_request_no: 'n1',
      refund_amount: '1',
      operator: 'op',
      client_tsn: null,
      extended: null,
    });
    expect(refund.biz_response).toMatchObject({
      result_code: 'REFUND_SUCCESS',
      data: { client_tsn: `${clientSn}-n1` },
    });
    for (const op of ['cancel', 'revoke'] as const) {
      const res = await call(sim, op, { sn, client_sn: null });
      expect(res.biz_response?.error_code).toBe('UPAY_CANCEL_INVALID_ORDER_STATE');
    }
  });

  it('a required field sent as null is missing', async () => {
    const res = await call(sim, 'pay', payFields(newClientSn(), { operator: null }));
    expect(res).toEqual({ result_code: '400', error_code: 'INVALID_PARAMS', error_message: 'operator不可以为空' });
    const lookup = await call(sim, 'query', { sn: null, client_sn: null });
    expect(lookup).toMatchObject({ result_code: '400', error_message: 'sn与client_sn不能同时为空' });
  });

  it('treats null optional fields as absent on /terminal/activate and /terminal/checkin', async () => {
    const nulls = { client_sn: null, name: null, os_info: null, sdk_version: null };
    const credentials = credentialsOf(await activate(sim, activateFields(nulls)));
    credentialsOf(await checkin(sim, credentials, 'till-01', { os_info: null, sdk_version: null }));
  });

  it('answers a signed /terminal/uploadLog with SUCCESS, whatever the bytes', async () => {
    const body = 'PK\u0003\u0004 not really a zip';
    const auth = authorizationHeader(TERMINAL.terminalSn, body, TERMINAL.terminalKey);
    const res = await postRaw(sim, '/terminal/uploadLog', body, auth);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ result_code: '200', error_code: 'SUCCESS', error_message: 'ok' });
    const wrongKey = authorizationHeader(TERMINAL.terminalSn, body, 'f'.repeat(32));
    const wrong = await postRaw(sim, '/terminal/uploadLog', body, wrongKey);
    expect(JSON.parse(wrong.text)).toMatchObject({ result_code: '400', error_code: 'ILLEGAL_SIGN' });
  });

  it('answers a signed call to an endpoint it does not simulate with the upay envelope', async () => {
    const body = JSON.stringify({ terminal_sn: TERMINAL.terminalSn, client_sn: 'x', payway: '3' });
    const res = await postRaw(
      sim,
      '/upay/v2/precreate',
      body,
      authorizationHeader(TERMINAL.terminalSn, body, TERMINAL.terminalKey),
    );
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({
      result_code: '400',
      error_code: 'INVALID_PARAMS',
      error_message: '不支持的接口: /upay/v2/precreate',
    });
  });
});

import type { RunningSimulator } from '../../simulator';
import { call, newClientSn, pay, payFields, startTestSimulator } from './helpers';

describe('simulator INVALID_PARAMS', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator();
  });
  afterAll(() => sim.close());

  const long = (n: number): string => 'x'.repeat(n);

  it.each([
    ['total_amount', { total_amount: '-1' }],
    ['total_amount', { total_amount: '0' }],
    ['total_amount', { total_amount: '1.5' }],
    ['total_amount', { total_amount: '12345678901' }],
    ['total_amount', { total_amount: 100 }],
    ['total_amount', { total_amount: undefined }],
    ['dynamic_id', { dynamic_id: '' }],
    ['dynamic_id', { dynamic_id: long(33) }],
    ['subject', { subject: undefined }],
    ['subject', { subject: long(65) }],
    ['operator', { operator: long(33) }],
    ['client_sn', { client_sn: long(33) }],
    ['description', { description: long(257) }],
    ['reflect', { reflect: long(65) }],
    ['reflect', { reflect: { tips: '200' } }],
    ['payway', { payway: 3 }],
  ])('pay names %s in the error for %j', async (field, override) => {
    const res = await pay(sim, newClientSn(), override);
    expect(res.result_code).toBe('400');
    expect(res.error_code).toBe('INVALID_PARAMS');
    expect(res.error_message).toContain(field);
    expect(res.biz_response).toBeUndefined();
  });

  it('accepts the longest allowed values (subject counted in characters)', async () => {
    const res = await pay(sim, long(32), {
      subject: '测'.repeat(64),
      operator: long(32),
      dynamic_id: '1'.repeat(32),
      total_amount: '9999999999',
      description: long(256),
      reflect: long(64),
      extended: { goods_tag: 'beijing' },
    });
    expect(res.biz_response?.result_code).toBe('PAY_SUCCESS');
  });

  it('rejects an invalid pay without creating an order', async () => {
    const clientSn = newClientSn('bad');
    await pay(sim, clientSn, { total_amount: 'abc' });
    expect(sim.ledger().orders.some((o) => o.client_sn === clientSn)).toBe(false);
    expect((await pay(sim, clientSn)).biz_response?.result_code).toBe('PAY_SUCCESS');
  });

  it.each(['query', 'cancel', 'revoke'] as const)('%s needs sn or client_sn', async (endpoint) => {
    const res = await call(sim, endpoint, {});
    expect(res).toMatchObject({ result_code: '400', error_code: 'INVALID_PARAMS' });
    expect(res.error_message).toMatch(/sn/);
  });

  it.each([
    ['query', 'sn', { sn: '12345678901234567' }],
    ['cancel', 'client_sn', { client_sn: long(65) }],
    ['revoke', 'sn', { sn: 7894259244067349 }],
    ['query', 'refund_request_no', { client_sn: 'x', refund_request_no: long(21) }],
  ] as const)('%s names %s', async (endpoint, field, fields) => {
    const res = await call(sim, endpoint, fields);
    expect(res).toMatchObject({ result_code: '400', error_code: 'INVALID_PARAMS' });
    expect(res.error_message).toContain(field);
  });

  it('accepts a 64-character client_sn on query (32 only on pay)', async () => {
    const res = await call(sim, 'query', { client_sn: long(64) });
    expect(res.biz_response?.error_code).toBe('UPAY_ORDER_NOT_EXISTS');
  });

  it.each([
    ['refund_amount', { refund_amount: '0' }],
    ['refund_request_no', { refund_request_no: long(21) }],
    ['operator', { operator: long(65) }],
    ['refund_request_no', { refund_request_no: undefined }],
  ])('refund names %s', async (field, override) => {
    const res = await call(sim, 'refund', {
      client_sn: 'x',
      refund_request_no: 'r1',
      refund_amount: '1',
      operator: 'op',
      ...override,
    });
    expect(res).toMatchObject({ result_code: '400', error_code: 'INVALID_PARAMS' });
    expect(res.error_message).toContain(field);
  });

  it('requires terminal_sn in the body', async () => {
    const fields = payFields(newClientSn());
    const res = await call(sim, 'pay', { ...fields, terminal_sn: undefined });
    expect(res).toMatchObject({ result_code: '400', error_code: 'INVALID_PARAMS' });
    expect(res.error_message).toContain('terminal_sn');
  });
});

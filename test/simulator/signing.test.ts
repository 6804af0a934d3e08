import { execFileSync } from 'node:child_process';
import { authorizationHeader } from '../../activities/gateway/signing';
import type { RunningSimulator } from '../../simulator';
import { startSimulator } from '../../simulator';
import { call, newClientSn, OTHER_TERMINAL, payFields, postRaw, startTestSimulator, TERMINAL } from './helpers';

/** Known vector from the reference §2.2. */
const DOC_TERMINAL = { terminalSn: '10298371039', terminalKey: '68d499beda5f72116592f5c527465656' };
const DOC_BODY = '{"terminal_sn":"10298371039","sn":"7894259244067349"}';
const DOC_SIGN = '418850f2fd6d7297817e0b3c2e2fc148';

/** An independent signer: Python's hashlib, not our signing.ts. */
function pythonSign(body: string, key: string): string {
  const script = 'import hashlib,sys; print(hashlib.md5(sys.stdin.buffer.read()).hexdigest())';
  return execFileSync('python3', ['-c', script], { input: Buffer.from(body + key, 'utf8') })
    .toString()
    .trim();
}

describe('simulator signature check', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startSimulator({ port: 0, terminals: [DOC_TERMINAL, TERMINAL, OTHER_TERMINAL] });
  });
  afterAll(() => sim.close());

  it('accepts the reference known-answer vector byte for byte', async () => {
    const res = await postRaw(sim, '/upay/v2/query', DOC_BODY, `${DOC_TERMINAL.terminalSn} ${DOC_SIGN}`);
    expect(JSON.parse(res.text)).toEqual({
      result_code: '200',
      biz_response: { result_code: 'FAIL', error_code: 'UPAY_ORDER_NOT_EXISTS', error_message: '订单不存在' },
    });
  });

  it('accepts a body signed by an independent implementation (python hashlib) over odd but valid JSON', async () => {
    // \u escapes, \/ and extra whitespace: the server must hash the bytes, not a re-serialization.
    const body = `{ "terminal_sn" : "${TERMINAL.terminalSn}", "client_sn":"py-${Date.now()}", "total_amount":"1",
      "dynamic_id":"130818341921441147", "subject":"\\u6d4b\\u8bd5 a\\/b", "operator":"op" }`;
    const res = await postRaw(
      sim,
      '/upay/v2/pay',
      body,
      `${TERMINAL.terminalSn} ${pythonSign(body, TERMINAL.terminalKey)}`,
    );
    expect(JSON.parse(res.text)).toMatchObject({ result_code: '200', biz_response: { result_code: 'PAY_SUCCESS' } });
  });

  const body = JSON.stringify({ terminal_sn: TERMINAL.terminalSn, ...payFields('never-created') });
  const good = authorizationHeader(TERMINAL.terminalSn, body, TERMINAL.terminalKey);
  const sign = good.split(' ')[1] ?? '';
  const flipped = `${sign.slice(0, -1)}${sign.endsWith('0') ? '1' : '0'}`;

  it.each([
    ['a wrong signature', `${TERMINAL.terminalSn} ${flipped}`],
    ['the right signature in uppercase', `${TERMINAL.terminalSn} ${sign.toUpperCase()}`],
    ['a missing header', undefined],
    ['two spaces', `${TERMINAL.terminalSn}  ${sign}`],
    ['a "Bearer" scheme', `Bearer ${TERMINAL.terminalSn} ${sign}`],
    ['the signature alone', sign],
    [
      'a signature made with another terminal key',
      authorizationHeader(TERMINAL.terminalSn, body, OTHER_TERMINAL.terminalKey),
    ],
  ])('answers 400 ILLEGAL_SIGN for %s', async (_label, authorization) => {
    const res = await postRaw(sim, '/upay/v2/pay', body, authorization);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ result_code: '400', error_code: 'ILLEGAL_SIGN', error_message: '签名错误' });
  });

  it('signs over the body with the key appended: a signature over the body alone fails', async () => {
    const res = await postRaw(sim, '/upay/v2/pay', body, `${TERMINAL.terminalSn} ${pythonSign(body, '')}`);
    expect(JSON.parse(res.text)).toMatchObject({ result_code: '400', error_code: 'ILLEGAL_SIGN' });
  });

  it('answers 400 INVALID_TERMINAL for an unknown terminal', async () => {
    const auth = authorizationHeader('999999999999999999', body, TERMINAL.terminalKey);
    const res = await postRaw(sim, '/upay/v2/pay', body, auth);
    expect(JSON.parse(res.text)).toMatchObject({ result_code: '400', error_code: 'INVALID_TERMINAL' });
  });

  it('answers ILLEGAL_SIGN when the header terminal differs from the body terminal_sn', async () => {
    const otherBody = JSON.stringify({ terminal_sn: OTHER_TERMINAL.terminalSn, ...payFields(newClientSn()) });
    const res = await postRaw(
      sim,
      '/upay/v2/pay',
      otherBody,
      authorizationHeader(TERMINAL.terminalSn, otherBody, TERMINAL.terminalKey),
    );
    expect(JSON.parse(res.text)).toMatchObject({ result_code: '400', error_code: 'ILLEGAL_SIGN' });
    expect(sim.ledger().orders.filter((o) => o.terminal_sn === OTHER_TERMINAL.terminalSn)).toHaveLength(0);
  });

  it('answers INVALID_PARAMS for a correctly signed body that is not JSON', async () => {
    const junk = '{"terminal_sn":"100000000000000777",';
    const res = await postRaw(
      sim,
      '/upay/v2/pay',
      junk,
      authorizationHeader(TERMINAL.terminalSn, junk, TERMINAL.terminalKey),
    );
    expect(JSON.parse(res.text)).toMatchObject({ result_code: '400', error_code: 'INVALID_PARAMS' });
  });

  it('logs signature validity without the key or the Authorization value', async () => {
    await postRaw(sim, '/upay/v2/query', DOC_BODY, `${DOC_TERMINAL.terminalSn} ${flipped}`);
    const log = sim.ledger().requests;
    expect(log.some((r) => r.signature_valid === false && r.error_code === 'ILLEGAL_SIGN')).toBe(true);
    expect(log.some((r) => r.signature_valid === true)).toBe(true);
    const dump = JSON.stringify(sim.ledger());
    for (const secret of [TERMINAL.terminalKey, DOC_TERMINAL.terminalKey, sign, flipped, DOC_SIGN]) {
      expect(dump).not.toContain(secret);
    }
  });

  it('keeps orders of different terminals apart (client_sn is scoped to the terminal)', async () => {
    const clientSn = newClientSn();
    const a = await call(sim, 'pay', payFields(clientSn), TERMINAL);
    const b = await call(sim, 'pay', payFields(clientSn), OTHER_TERMINAL);
    expect(a.biz_response?.result_code).toBe('PAY_SUCCESS');
    expect(b.biz_response?.result_code).toBe('PAY_SUCCESS');
    const q = await call(sim, 'query', { sn: a.biz_response?.data?.sn }, OTHER_TERMINAL);
    // Another terminal's sn is not found; the lookup falls back to client_sn (absent here).
    expect(q.biz_response?.error_code).toBe('UPAY_ORDER_NOT_EXISTS');
  });
});

describe('simulator without a Temporal server', () => {
  it('starts on a free port and stops', async () => {
    const sim = await startTestSimulator();
    expect(sim.url).toBe(`http://127.0.0.1:${sim.port}`);
    await sim.close();
  });
});

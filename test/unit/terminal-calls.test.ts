import { createServer } from 'node:net';
import type { Dispatcher } from 'undici';
import type { RawExchange } from '../../activities/gateway/classify';
import { createGatewayDispatcher } from '../../activities/gateway/http';
import {
  activateTerminal,
  checkinTerminal,
  parseCredentials,
  type CredentialsResult,
} from '../../activities/gateway/terminal-calls';
import type { RunningSimulator } from '../../simulator';
import { DEMO_VENDOR } from '../../simulator';
import { call, newClientSn, payFields, startTestSimulator } from '../simulator/helpers';
import { activated, newCode } from '../simulator/terminal-helpers';
import { freePort } from '../../scripts/stack/ports';

const SN = '100000000000000777';
const KEY = '5f4dcc3b5aa765d61d8327deb882cf99';
const http = (status: number, body: unknown): RawExchange => ({
  kind: 'http',
  status,
  body: typeof body === 'string' ? body : JSON.stringify(body),
});

describe('parseCredentials: what an activate/checkin answer means', () => {
  it.each<[string, RawExchange, CredentialsResult]>([
    [
      'transport error: no answer',
      { kind: 'transport', code: 'UND_ERR_SOCKET' },
      { ok: false, answered: false, reason: 'transport UND_ERR_SOCKET' },
    ],
    [
      'non-JSON 200: no readable answer',
      http(200, '<html>gateway busy</html>'),
      { ok: false, answered: false, reason: 'HTTP 200, body is not JSON' },
    ],
    [
      'JSON that is not an object',
      http(200, '["x"]'),
      { ok: false, answered: false, reason: 'HTTP 200, body is not an object' },
    ],
    [
      '200 with credentials',
      http(200, { result_code: '200', biz_response: { terminal_sn: SN, terminal_key: KEY } }),
      { ok: true, terminalSn: SN, terminalKey: KEY },
    ],
    [
      '400 ILLEGAL_SIGN: answered, refused',
      http(200, { result_code: '400', error_code: 'ILLEGAL_SIGN', error_message: '签名错误' }),
      { ok: false, answered: true, reason: 'result_code 400 ILLEGAL_SIGN', errorCode: 'ILLEGAL_SIGN' },
    ],
    [
      '400 ACTIVATE_FAIL: answered, refused',
      http(200, { result_code: '400', error_code: 'ACTIVATE_FAIL', error_message: '激活信息异常，请咨询客服' }),
      { ok: false, answered: true, reason: 'result_code 400 ACTIVATE_FAIL', errorCode: 'ACTIVATE_FAIL' },
    ],
    [
      '500: the gateway may have acted',
      http(200, { result_code: '500', error_code: 'UNKNOWN_SYSTEM_ERROR', error_message: '系统错误' }),
      {
        ok: false,
        answered: false,
        reason: 'result_code 500 UNKNOWN_SYSTEM_ERROR',
        errorCode: 'UNKNOWN_SYSTEM_ERROR',
      },
    ],
    [
      'HTTP 502 with a JSON body but no result_code',
      http(502, { message: 'bad gateway' }),
      { ok: false, answered: false, reason: 'result_code ?' },
    ],
    [
      '200 with a business failure (biz error_code)',
      http(200, {
        result_code: '200',
        biz_response: { result_code: 'FAIL', error_code: 'TERMINAL_NOT_ACTIVATED', error_message: '终端未激活' },
      }),
      {
        ok: false,
        answered: true,
        reason: 'result_code 200 TERMINAL_NOT_ACTIVATED',
        errorCode: 'TERMINAL_NOT_ACTIVATED',
      },
    ],
    [
      '200 with a business failure (biz result_code only)',
      http(200, { result_code: '200', biz_response: { result_code: 'CHECKIN_FAIL' } }),
      { ok: false, answered: true, reason: 'result_code 200 CHECKIN_FAIL', errorCode: 'CHECKIN_FAIL' },
    ],
    [
      '200 with a terminal_sn but no key and no error: unreadable',
      http(200, { result_code: '200', biz_response: { terminal_sn: SN } }),
      { ok: false, answered: false, reason: 'result_code 200' },
    ],
    [
      '200 with a non-string key: unreadable',
      http(200, { result_code: '200', biz_response: { terminal_sn: SN, terminal_key: 12345 } }),
      { ok: false, answered: false, reason: 'result_code 200' },
    ],
  ])('%s', (_name, exchange, expected) => {
    expect(parseCredentials(exchange)).toEqual(expected);
  });

  it('never puts a key into a failure reason', () => {
    const half = http(200, { result_code: '200', biz_response: { terminal_key: KEY } });
    const result = parseCredentials(half);
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain(KEY);
  });
});

describe('activateTerminal / checkinTerminal against the real simulator', () => {
  let sim: RunningSimulator;
  let dispatcher: Dispatcher;
  let origin: string;

  beforeAll(async () => {
    sim = await startTestSimulator();
    origin = sim.url;
    dispatcher = createGatewayDispatcher(origin);
  });
  afterAll(async () => {
    await dispatcher.close();
    await sim.close();
  });

  const activateBody = (deviceId = 'till-01') => ({ app_id: '2016111100000001', code: newCode(), device_id: deviceId });

  it('activate: a fresh terminal whose key signs a pay', async () => {
    const result = await activateTerminal({ dispatcher, origin }, activateBody('till-activate'), DEMO_VENDOR);
    expect(result).toEqual({
      ok: true,
      terminalSn: expect.stringMatching(/^\d{18}$/),
      terminalKey: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    if (!result.ok) throw new Error('unreachable');
    expect(sim.terminal(result.terminalSn)).toMatchObject({ device_id: 'till-activate', generation: 0 });
    const paid = await call(sim, 'pay', payFields(newClientSn()), {
      terminalSn: result.terminalSn,
      terminalKey: result.terminalKey,
    });
    expect(paid.biz_response?.result_code).toBe('PAY_SUCCESS');
  });

  it('activate: a spent code is refused with ACTIVATE_FAIL (answered)', async () => {
    const body = activateBody();
    expect((await activateTerminal({ dispatcher, origin }, body, DEMO_VENDOR)).ok).toBe(true);
    expect(await activateTerminal({ dispatcher, origin }, body, DEMO_VENDOR)).toEqual({
      ok: false,
      answered: true,
      reason: 'result_code 400 ACTIVATE_FAIL',
      errorCode: 'ACTIVATE_FAIL',
    });
  });

  it('activate: signed with a wrong vendor key → ILLEGAL_SIGN (answered), and the code is not spent', async () => {
    const body = activateBody();
    const wrong = { vendorSn: DEMO_VENDOR.vendorSn, vendorKey: '00000000000000000000000000000000' };
    expect(await activateTerminal({ dispatcher, origin }, body, wrong)).toEqual({
      ok: false,
      answered: true,
      reason: 'result_code 400 ILLEGAL_SIGN',
      errorCode: 'ILLEGAL_SIGN',
    });
    expect((await activateTerminal({ dispatcher, origin }, body, DEMO_VENDOR)).ok).toBe(true);
  });

  it('checkin: a new key; the new and the old key both sign', async () => {
    const k0 = await activated(sim, 'till-ck');
    const result = await checkinTerminal(
      { dispatcher, origin },
      { terminal_sn: k0.terminalSn, device_id: 'till-ck' },
      k0.terminalKey,
    );
    expect(result).toEqual({
      ok: true,
      terminalSn: k0.terminalSn,
      terminalKey: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    if (!result.ok) throw new Error('unreachable');
    expect(result.terminalKey).not.toBe(k0.terminalKey);
    expect(sim.terminal(k0.terminalSn)?.generation).toBe(1);
    for (const terminalKey of [result.terminalKey, k0.terminalKey]) {
      const paid = await call(sim, 'pay', payFields(newClientSn()), { terminalSn: k0.terminalSn, terminalKey });
      expect(paid.biz_response?.result_code).toBe('PAY_SUCCESS');
    }
  });

  it('checkin: signed with a wrong key → ILLEGAL_SIGN answered, nothing rotated', async () => {
    const k0 = await activated(sim, 'till-ck');
    const result = await checkinTerminal(
      { dispatcher, origin },
      { terminal_sn: k0.terminalSn, device_id: 'till-ck' },
      'ffffffffffffffffffffffffffffffff',
    );
    expect(result).toEqual({
      ok: false,
      answered: true,
      reason: 'result_code 400 ILLEGAL_SIGN',
      errorCode: 'ILLEGAL_SIGN',
    });
    expect(sim.terminal(k0.terminalSn)?.generation).toBe(0);
  });

  it("checkin: 'error' fault → no answer (500), nothing rotated", async () => {
    const k0 = await activated(sim, 'till-ck');
    sim.setCheckinFault(k0.terminalSn, 1, 'error');
    const result = await checkinTerminal(
      { dispatcher, origin },
      { terminal_sn: k0.terminalSn, device_id: 'till-ck' },
      k0.terminalKey,
    );
    expect(result).toMatchObject({ ok: false, answered: false, errorCode: 'UNKNOWN_SYSTEM_ERROR' });
    expect(sim.terminal(k0.terminalSn)?.generation).toBe(0);
  });

  it("checkin: 'drop' fault → answered false, though the gateway rotated; the old key checks in again", async () => {
    const k0 = await activated(sim, 'till-ck');
    sim.setCheckinFault(k0.terminalSn, 1, 'drop');
    const body = { terminal_sn: k0.terminalSn, device_id: 'till-ck' };
    const dropped = await checkinTerminal({ dispatcher, origin }, body, k0.terminalKey);
    expect(dropped).toEqual({ ok: false, answered: false, reason: expect.stringMatching(/^transport /) });
    expect(sim.terminal(k0.terminalSn)?.generation).toBe(1);
    const again = await checkinTerminal({ dispatcher, origin }, body, k0.terminalKey);
    expect(again).toMatchObject({ ok: true, terminalSn: k0.terminalSn });
    expect(sim.terminal(k0.terminalSn)?.generation).toBe(2);
  });

  it('a closed port: transport error, answered false', async () => {
    const port = await freePort();
    const closedOrigin = `http://127.0.0.1:${port}`;
    const closed = createGatewayDispatcher(closedOrigin);
    try {
      const result = await checkinTerminal(
        { dispatcher: closed, origin: closedOrigin },
        { terminal_sn: SN, device_id: 'till-01' },
        KEY,
      );
      expect(result).toEqual({ ok: false, answered: false, reason: 'transport ECONNREFUSED' });
    } finally {
      await closed.close();
    }
  });

  it('honours the per-call deadline (a hung gateway → no answer)', async () => {
    // A server that accepts and never answers.
    const server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    const hungOrigin = `http://127.0.0.1:${port}`;
    const hung = createGatewayDispatcher(hungOrigin);
    try {
      const result = await activateTerminal(
        { dispatcher: hung, origin: hungOrigin, timeouts: { activate: { totalMs: 200 } } },
        activateBody(),
        DEMO_VENDOR,
      );
      expect(result).toEqual({ ok: false, answered: false, reason: 'transport CALL_DEADLINE' });
    } finally {
      await hung.destroy();
      server.close();
    }
  });
});

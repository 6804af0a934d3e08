import { request } from 'undici';
import { authorizationHeader } from '../../activities/gateway/signing';
import type { RunningSimulator } from '../../simulator';
import { DEMO_VENDOR, startSimulator } from '../../simulator';
import { BASE_MS, call, newClientSn, payFields, postRaw, startTestSimulator, TERMINAL } from './helpers';
import {
  activate,
  activated,
  activateFields,
  activateRaw,
  credentialsOf,
  ILLEGAL_SIGN,
  newCode,
} from './terminal-helpers';

describe('POST /terminal/activate', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator();
  });
  afterAll(() => sim.close());

  it('trades a code signed by the demo vendor for a new terminal_sn and a 32-hex key, directly in biz_response', async () => {
    const answer = await activate(sim, activateFields({ device_id: 'till-A', name: '1号收银台', os_info: 'Linux' }));
    expect(answer).toEqual({
      result_code: '200',
      biz_response: {
        terminal_sn: expect.stringMatching(/^\d{18}$/),
        terminal_key: expect.stringMatching(/^[0-9a-f]{32}$/),
      },
    });
    const terminal = credentialsOf(answer);
    expect(sim.terminal(terminal.terminalSn)).toEqual({
      terminal_sn: terminal.terminalSn,
      generation: 0,
      device_id: 'till-A',
      keys_valid: 1,
      current_issued_day: '2025-06-02',
      previous_issued_day: null,
    });
    // The new key signs upay calls.
    const paid = await call(sim, 'pay', payFields(newClientSn()), terminal);
    expect(paid.biz_response?.result_code).toBe('PAY_SUCCESS');
  });

  it('gives every activation its own terminal and key', async () => {
    const a = await activated(sim);
    const b = await activated(sim);
    expect(a.terminalSn).not.toBe(b.terminalSn);
    expect(a.terminalKey).not.toBe(b.terminalKey);
    expect([a.terminalSn, b.terminalSn]).not.toContain(TERMINAL.terminalSn);
  });

  describe('signature (vendor_sn / vendor_key, reference §2.1)', () => {
    it.each([
      ['a wrong vendor key', { ...DEMO_VENDOR, vendorKey: TERMINAL.terminalKey }],
      ['an unknown vendor_sn', { vendorSn: '91899999999999999', vendorKey: DEMO_VENDOR.vendorKey }],
      ['a terminal instead of the vendor', { vendorSn: TERMINAL.terminalSn, vendorKey: TERMINAL.terminalKey }],
    ])('answers 400 ILLEGAL_SIGN for %s and leaves the code unspent', async (_label, vendor) => {
      const fields = activateFields();
      const refused = await activateRaw(sim, fields, vendor);
      expect(JSON.parse(refused.text)).toEqual(ILLEGAL_SIGN);
      expect((await activate(sim, fields)).result_code).toBe('200');
    });

    it('answers 400 ILLEGAL_SIGN without an Authorization header', async () => {
      const res = await postRaw(sim, '/terminal/activate', JSON.stringify(activateFields()), undefined);
      expect(JSON.parse(res.text)).toEqual(ILLEGAL_SIGN);
    });

    it('logs the vendor and the new terminal, never a key', async () => {
      sim.reset();
      const terminal = await activated(sim);
      const entry = sim.ledger().requests.find((r) => r.endpoint === 'activate');
      expect(entry).toEqual({
        at: BASE_MS,
        endpoint: 'activate',
        vendor_sn: DEMO_VENDOR.vendorSn,
        terminal_sn: terminal.terminalSn,
        signature_valid: true,
        http_status: 200,
        result_code: '200',
      });
      const dump = JSON.stringify(sim.ledger());
      expect(dump).not.toContain(terminal.terminalKey);
      expect(dump).not.toContain(DEMO_VENDOR.vendorKey);
    });
  });

  describe('parameters (reference §4.1)', () => {
    it.each([
      ['app_id', { app_id: undefined }, 'app_id不可以为空'],
      ['code', { code: '' }, 'code不可以为空'],
      ['device_id', { device_id: undefined }, 'device_id不可以为空'],
      ['device_id over 128', { device_id: 'd'.repeat(129) }, 'device_id长度不能超过128位'],
      ['client_sn over 50', { client_sn: 'c'.repeat(51) }, 'client_sn长度不能超过50位'],
      ['a number', { device_id: 42 }, 'device_id必须是字符串'],
    ])('answers 400 INVALID_PARAMS naming %s', async (_label, patch, message) => {
      const answer = await activate(sim, activateFields(patch));
      expect(answer).toEqual({ result_code: '400', error_code: 'INVALID_PARAMS', error_message: message });
    });

    it('accepts a device_id of exactly 128 characters', async () => {
      expect((await activate(sim, activateFields({ device_id: 'd'.repeat(128) }))).result_code).toBe('200');
    });

    it('answers INVALID_PARAMS for a signed body that is not a JSON object', async () => {
      const body = '["code"]';
      const res = await postRaw(
        sim,
        '/terminal/activate',
        body,
        authorizationHeader(DEMO_VENDOR.vendorSn, body, DEMO_VENDOR.vendorKey),
      );
      expect(JSON.parse(res.text)).toMatchObject({ result_code: '400', error_code: 'INVALID_PARAMS' });
    });
  });

  describe('activation codes', () => {
    const ACTIVATE_FAIL = {
      result_code: '400',
      error_code: 'ACTIVATE_FAIL',
      error_message: '激活信息异常，请咨询客服',
    };

    it('accepts a minted sim-code- code once; the second use answers 400 ACTIVATE_FAIL', async () => {
      const code = newCode();
      expect((await activate(sim, activateFields({ code }))).result_code).toBe('200');
      expect(await activate(sim, activateFields({ code, device_id: 'till-02' }))).toEqual(ACTIVATE_FAIL);
    });

    it('answers ACTIVATE_FAIL for an unknown code and for the bare prefix', async () => {
      expect(await activate(sim, activateFields({ code: 'no-such-code' }))).toEqual(ACTIVATE_FAIL);
      expect(await activate(sim, activateFields({ code: 'sim-code-' }))).toEqual(ACTIVATE_FAIL);
    });

    it('accepts the default code sim-activation-code once', async () => {
      const fresh = await startTestSimulator();
      try {
        expect((await activate(fresh, activateFields({ code: 'sim-activation-code' }))).result_code).toBe('200');
        expect((await activate(fresh, activateFields({ code: 'sim-activation-code' }))).error_code).toBe(
          'ACTIVATE_FAIL',
        );
      } finally {
        await fresh.close();
      }
    });

    it('takes configured codes and vendors instead of the defaults (sim-code- still works)', async () => {
      const vendor = { vendorSn: '91800000000000042', vendorKey: '0f0e0d0c0b0a09080706050403020100' };
      const custom = await startSimulator({
        port: 0,
        terminals: [],
        vendors: [vendor],
        activationCodes: ['CODE-1'],
      });
      try {
        expect((await activate(custom, activateFields({ code: 'CODE-1' }), vendor)).result_code).toBe('200');
        expect((await activate(custom, activateFields({ code: 'sim-activation-code' }), vendor)).error_code).toBe(
          'ACTIVATE_FAIL',
        );
        expect((await activate(custom, activateFields(), vendor)).result_code).toBe('200');
        expect(JSON.parse((await activateRaw(custom, activateFields())).text)).toEqual(ILLEGAL_SIGN);
      } finally {
        await custom.close();
      }
    });
  });

  it('answers 405 for GET; /terminal/uploadLog wants a terminal signature', async () => {
    const get = await request(`${sim.url}/terminal/activate`);
    await get.body.dump();
    expect(get.statusCode).toBe(405);
    const upload = await postRaw(sim, '/terminal/uploadLog', 'x', undefined);
    expect(upload.status).toBe(200);
    expect(JSON.parse(upload.text)).toMatchObject({ result_code: '400', error_code: 'ILLEGAL_SIGN' });
  });
});

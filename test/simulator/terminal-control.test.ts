import type { RunningSimulator } from '../../simulator';
import { DEMO_VENDOR } from '../../simulator';
import { call, newClientSn, payFields, postRaw, startTestSimulator } from './helpers';
import type { Credentials } from './terminal-helpers';
import { activated, checkin, control, credentialsOf, ILLEGAL_SIGN } from './terminal-helpers';
import { authorizationHeader } from '../../activities/gateway/signing';

async function payWith(sim: RunningSimulator, terminal: Credentials) {
  return (await call(sim, 'pay', payFields(newClientSn()), terminal)).biz_response?.result_code;
}

describe('check-in faults (POST /_sim/checkin-faults)', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator();
  });
  afterEach(() => sim.reset());
  afterAll(() => sim.close());

  it("'error': the next n check-ins answer top-level 500 without rotating, then check-in works again", async () => {
    const k0 = await activated(sim);
    const set = await control(sim, 'POST', '/_sim/checkin-faults', {
      terminal_sn: k0.terminalSn,
      fail_next: 2,
      mode: 'error',
    });
    expect(set.status).toBe(200);
    expect(JSON.parse(set.text)).toEqual({ status: 'ok', terminal_sn: k0.terminalSn, fail_next: 2, mode: 'error' });
    const failed = { result_code: '500', error_code: 'UNKNOWN_SYSTEM_ERROR', error_message: '未知的系统错误' };
    expect(await checkin(sim, k0)).toEqual(failed);
    expect(await checkin(sim, k0)).toEqual(failed);
    expect(sim.terminal(k0.terminalSn)).toMatchObject({ generation: 0, keys_valid: 1 });
    expect(await payWith(sim, k0)).toBe('PAY_SUCCESS');
    const k1 = credentialsOf(await checkin(sim, k0));
    expect(await payWith(sim, k1)).toBe('PAY_SUCCESS');
    const log = sim.ledger().requests.filter((r) => r.endpoint === 'checkin');
    expect(log.map((r) => [r.result_code, r.error_code, r.fault])).toEqual([
      ['500', 'UNKNOWN_SYSTEM_ERROR', 'system-error'],
      ['500', 'UNKNOWN_SYSTEM_ERROR', 'system-error'],
      ['200', undefined, undefined],
    ]);
  });

  it("'drop': the key rotates but the connection dies; a retry with the old key gets a fresh one", async () => {
    const k0 = await activated(sim);
    expect(sim.setCheckinFault(k0.terminalSn, 1, 'drop')).toBe(true);
    const body = JSON.stringify({ terminal_sn: k0.terminalSn, device_id: 'till-01' });
    await expect(
      postRaw(sim, '/terminal/checkin', body, authorizationHeader(k0.terminalSn, body, k0.terminalKey)),
    ).rejects.toThrow();
    // The gateway rotated: the missed key is current, the caller's k0 is now the previous key and still signs.
    expect(sim.terminal(k0.terminalSn)).toMatchObject({ generation: 1, keys_valid: 2 });
    expect(await payWith(sim, k0)).toBe('PAY_SUCCESS');
    const k2 = credentialsOf(await checkin(sim, k0));
    expect(await payWith(sim, k2)).toBe('PAY_SUCCESS');
    expect(sim.terminal(k0.terminalSn)?.generation).toBe(2);
    // k0 was previous when it signed that check-in; now it is two rotations old.
    expect(await call(sim, 'pay', payFields(newClientSn()), k0)).toEqual(ILLEGAL_SIGN);
    const dropped = sim.ledger().requests.find((r) => r.endpoint === 'checkin');
    expect(dropped).toMatchObject({ http_status: 0, fault: 'reset', signature_valid: true });
    expect(dropped?.result_code).toBeUndefined();
  });

  it('forgets queued faults on reset, and fail_next 0 clears them', async () => {
    const k0 = await activated(sim);
    sim.setCheckinFault(k0.terminalSn, 3, 'error');
    sim.reset();
    const k1 = credentialsOf(await checkin(sim, k0));
    sim.setCheckinFault(k1.terminalSn, 3, 'error');
    await control(sim, 'POST', '/_sim/checkin-faults', { terminal_sn: k1.terminalSn, fail_next: 0 });
    expect((await checkin(sim, k1)).result_code).toBe('200');
    // reset keeps terminals and their keys: k1's terminal is still known.
    expect(sim.terminal(k1.terminalSn)?.generation).toBe(2);
  });

  it.each([
    [{ fail_next: 1 }, 400, 'terminal_sn'],
    [{ terminal_sn: 'x', fail_next: -1 }, 400, 'fail_next'],
    [{ terminal_sn: 'x', fail_next: 1.5 }, 400, 'fail_next'],
    [{ terminal_sn: 'x', fail_next: 1, mode: 'explode' }, 400, 'mode'],
    [{ terminal_sn: '999999999999999999', fail_next: 1 }, 404, 'no terminal'],
  ])('rejects %j with %i naming %s', async (body, status, words) => {
    const res = await control(sim, 'POST', '/_sim/checkin-faults', body);
    expect(res.status).toBe(status);
    expect(res.text).toContain(words);
  });
});

describe('terminal view (GET /_sim/terminals/<terminal_sn>)', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator();
  });
  afterAll(() => sim.close());

  it('shows generation, device and key days, never a key', async () => {
    const k0 = await activated(sim, 'till-V');
    const k1 = credentialsOf(await checkin(sim, k0, 'till-V'));
    const res = await control(sim, 'GET', `/_sim/terminals/${k0.terminalSn}`);
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({
      terminal_sn: k0.terminalSn,
      generation: 1,
      device_id: 'till-V',
      keys_valid: 2,
      current_issued_day: '2025-06-02',
      previous_issued_day: '2025-06-02',
    });
    expect(JSON.parse(res.text)).toEqual(sim.terminal(k0.terminalSn));
    for (const secret of [k0.terminalKey, k1.terminalKey]) {
      expect(res.text).not.toContain(secret);
      expect(JSON.stringify(sim.ledger())).not.toContain(secret);
    }
    expect(JSON.stringify(sim.ledger())).not.toContain(DEMO_VENDOR.vendorKey);
  });

  it('answers 404 for an unknown terminal or a malformed sn', async () => {
    expect((await control(sim, 'GET', '/_sim/terminals/999999999999999999')).status).toBe(404);
    expect((await control(sim, 'GET', '/_sim/terminals/%E0%A4%A')).status).toBe(404);
    expect(sim.terminal('999999999999999999')).toBeUndefined();
  });
});

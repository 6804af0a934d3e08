import { authorizationHeader } from '../../activities/gateway/signing';
import type { RunningSimulator } from '../../simulator';
import { call, newClientSn, OTHER_TERMINAL, payFields, postRaw, startTestSimulator, TERMINAL } from './helpers';
import type { Credentials } from './terminal-helpers';
import { activated, checkin, credentialsOf, ILLEGAL_SIGN } from './terminal-helpers';

async function payWith(sim: RunningSimulator, terminal: Credentials) {
  return call(sim, 'pay', payFields(newClientSn()), terminal);
}

describe('POST /terminal/checkin: key rotation (reference §2.4)', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator();
  });
  afterAll(() => sim.close());

  it('answers a new key in the activate shape; the new and the replaced key both sign, nothing older does', async () => {
    const k0 = await activated(sim);
    const answer = await checkin(sim, k0);
    expect(answer).toEqual({
      result_code: '200',
      biz_response: { terminal_sn: k0.terminalSn, terminal_key: expect.stringMatching(/^[0-9a-f]{32}$/) },
    });
    const k1 = credentialsOf(answer);
    expect(k1.terminalKey).not.toBe(k0.terminalKey);
    expect((await payWith(sim, k1)).biz_response?.result_code).toBe('PAY_SUCCESS');
    expect((await payWith(sim, k0)).biz_response?.result_code).toBe('PAY_SUCCESS');

    const k2 = credentialsOf(await checkin(sim, k1));
    expect((await payWith(sim, k2)).biz_response?.result_code).toBe('PAY_SUCCESS');
    expect((await payWith(sim, k1)).biz_response?.result_code).toBe('PAY_SUCCESS');
    // Two rotations old: refused everywhere, check-in included.
    expect(await payWith(sim, k0)).toEqual(ILLEGAL_SIGN);
    for (const endpoint of ['query', 'cancel', 'revoke'] as const) {
      expect(await call(sim, endpoint, { client_sn: 'any' }, k0)).toEqual(ILLEGAL_SIGN);
    }
    expect(
      await call(sim, 'refund', { client_sn: 'any', refund_request_no: '1', refund_amount: '1', operator: 'o' }, k0),
    ).toEqual(ILLEGAL_SIGN);
    expect(await checkin(sim, k0)).toEqual(ILLEGAL_SIGN);
    expect(sim.terminal(k0.terminalSn)).toMatchObject({ generation: 2, keys_valid: 2 });
  });

  it('accepts a check-in signed with the previous key (answer missed) and rotates the same way', async () => {
    const k0 = await activated(sim);
    const k1 = credentialsOf(await checkin(sim, k0)); // pretend this answer was lost: the caller still holds k0
    const k2 = credentialsOf(await checkin(sim, k0));
    expect(new Set([k0.terminalKey, k1.terminalKey, k2.terminalKey]).size).toBe(3);
    // Valid now: k2 (new current) and k1 (current before this check-in); k0 signed its own last check-in.
    expect((await payWith(sim, k2)).biz_response?.result_code).toBe('PAY_SUCCESS');
    expect((await payWith(sim, k1)).biz_response?.result_code).toBe('PAY_SUCCESS');
    expect(await payWith(sim, k0)).toEqual(ILLEGAL_SIGN);
    expect(sim.terminal(k0.terminalSn)?.generation).toBe(2);
  });

  it('records which key signed (current or previous) in the request log', async () => {
    sim.reset();
    const k0 = await activated(sim);
    const k1 = credentialsOf(await checkin(sim, k0));
    await payWith(sim, k0);
    await payWith(sim, k1);
    expect(sim.ledger().requests.map((r) => [r.endpoint, r.signed_with])).toEqual([
      ['activate', undefined],
      ['checkin', 'current'],
      ['pay', 'previous'],
      ['pay', 'current'],
    ]);
  });

  it('lets a seeded terminal check in: its configured key is current, any device_id is bound the first time', async () => {
    const seeded = await startTestSimulator();
    try {
      expect(seeded.terminal(TERMINAL.terminalSn)).toMatchObject({ generation: 0, device_id: null, keys_valid: 1 });
      const k1 = credentialsOf(await checkin(seeded, TERMINAL, 'pos-7'));
      expect(seeded.terminal(TERMINAL.terminalSn)).toMatchObject({ generation: 1, device_id: 'pos-7', keys_valid: 2 });
      const k2 = credentialsOf(await checkin(seeded, k1, 'pos-7'));
      expect((await payWith(seeded, k2)).biz_response?.result_code).toBe('PAY_SUCCESS');
      expect(await payWith(seeded, TERMINAL)).toEqual(ILLEGAL_SIGN);
      // Other seeded terminals are untouched.
      expect((await payWith(seeded, OTHER_TERMINAL)).biz_response?.result_code).toBe('PAY_SUCCESS');
    } finally {
      await seeded.close();
    }
  });
});

describe('POST /terminal/checkin: refusals', () => {
  let sim: RunningSimulator;
  beforeAll(async () => {
    sim = await startTestSimulator();
  });
  afterAll(() => sim.close());

  const DEVICE_MISMATCH = {
    result_code: '400',
    error_code: 'INVALID_PARAMS',
    error_message: 'device_id与终端激活时的设备不一致',
  };

  it('refuses another device_id than the one activated with (INVALID_PARAMS naming device_id), key unchanged', async () => {
    const k0 = await activated(sim, 'till-A');
    expect(await checkin(sim, k0, 'till-B')).toEqual(DEVICE_MISMATCH);
    expect(sim.terminal(k0.terminalSn)).toMatchObject({ generation: 0, device_id: 'till-A' });
    expect((await checkin(sim, k0, 'till-A')).result_code).toBe('200');
  });

  it('refuses another device_id than the one a seeded terminal first checked in with', async () => {
    const k1 = credentialsOf(await checkin(sim, OTHER_TERMINAL, 'pos-1'));
    expect(await checkin(sim, k1, 'pos-2')).toEqual(DEVICE_MISMATCH);
  });

  it.each([
    ['device_id', { device_id: undefined }, 'device_id不可以为空'],
    ['device_id over 128', { device_id: 'd'.repeat(129) }, 'device_id长度不能超过128位'],
    ['os_info over 45', { os_info: 'o'.repeat(46) }, 'os_info长度不能超过45位'],
  ])('answers 400 INVALID_PARAMS naming %s', async (_label, patch, message) => {
    const k0 = await activated(sim);
    expect(await checkin(sim, k0, 'till-01', patch)).toEqual({
      result_code: '400',
      error_code: 'INVALID_PARAMS',
      error_message: message,
    });
  });

  it('answers INVALID_PARAMS when terminal_sn is missing from the body', async () => {
    const k0 = await activated(sim);
    const body = JSON.stringify({ device_id: 'till-01' });
    const res = await postRaw(sim, '/terminal/checkin', body, authorizationHeader(k0.terminalSn, body, k0.terminalKey));
    expect(JSON.parse(res.text)).toEqual({
      result_code: '400',
      error_code: 'INVALID_PARAMS',
      error_message: 'terminal_sn不可以为空',
    });
  });

  it('answers ILLEGAL_SIGN for a body naming another terminal, INVALID_TERMINAL for an unknown one', async () => {
    const k0 = await activated(sim);
    const body = JSON.stringify({ terminal_sn: TERMINAL.terminalSn, device_id: 'till-01' });
    const res = await postRaw(sim, '/terminal/checkin', body, authorizationHeader(k0.terminalSn, body, k0.terminalKey));
    expect(JSON.parse(res.text)).toEqual(ILLEGAL_SIGN);
    expect(sim.terminal(TERMINAL.terminalSn)?.generation).toBe(0);
    expect(await checkin(sim, { terminalSn: '999999999999999999', terminalKey: k0.terminalKey })).toMatchObject({
      result_code: '400',
      error_code: 'INVALID_TERMINAL',
    });
  });

  it('answers ILLEGAL_SIGN for a check-in signed with the vendor key or a wrong key', async () => {
    const k0 = await activated(sim);
    expect(await checkin(sim, { ...k0, terminalKey: OTHER_TERMINAL.terminalKey })).toEqual(ILLEGAL_SIGN);
    expect(sim.terminal(k0.terminalSn)?.generation).toBe(0);
  });
});

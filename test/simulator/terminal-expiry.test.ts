import type { RunningSimulator } from '../../simulator';
import { startSimulator } from '../../simulator';
import { BASE_MS, call, newClientSn, payFields, TERMINAL } from './helpers';
import type { Credentials } from './terminal-helpers';
import { activated, checkin, control, credentialsOf, ILLEGAL_SIGN } from './terminal-helpers';

const HOUR = 3600_000;
/** BASE_MS is 2025-06-02 10:00 Asia/Shanghai; 2025-06-04 00:00 Shanghai (day D+2) is 38 h later. */
const DAY_PLUS_2 = 38 * HOUR;

async function payWith(sim: RunningSimulator, terminal: Credentials) {
  return call(sim, 'pay', payFields(newClientSn()), terminal);
}

describe('keyExpiry: a key issued on Shanghai day D dies on day D+2', () => {
  let sim: RunningSimulator;
  beforeEach(async () => {
    sim = await startSimulator({ port: 0, terminals: [TERMINAL], clock: () => BASE_MS, keyExpiry: true });
  });
  afterEach(() => sim.close());

  it('keeps a seeded key (issued at start) through day D+1 and refuses it from 00:00 on D+2', async () => {
    sim.setClockOffset(DAY_PLUS_2 - 1);
    expect((await payWith(sim, TERMINAL)).biz_response?.result_code).toBe('PAY_SUCCESS');
    expect(sim.terminal(TERMINAL.terminalSn)).toMatchObject({ keys_valid: 1, current_issued_day: '2025-06-02' });
    sim.setClockOffset(DAY_PLUS_2);
    expect(await payWith(sim, TERMINAL)).toEqual(ILLEGAL_SIGN);
    expect(sim.terminal(TERMINAL.terminalSn)).toMatchObject({ keys_valid: 0, generation: 0 });
    // The aged key may still check in (signed with the last valid key), and the new key pays again.
    const fresh = credentialsOf(await checkin(sim, TERMINAL));
    expect((await payWith(sim, fresh)).biz_response?.result_code).toBe('PAY_SUCCESS');
    expect(await payWith(sim, TERMINAL)).toEqual(ILLEGAL_SIGN);
  });

  it('rotates daily across three simulated days; each key lives for its day and the next', async () => {
    const k0 = await activated(sim); // day D (2025-06-02)
    const keys = [k0];
    for (let day = 1; day <= 3; day += 1) {
      const clock = await control(sim, 'POST', '/_sim/clock', { offset_ms: day * 24 * HOUR });
      expect(JSON.parse(clock.text)).toMatchObject({ shanghai_day: `2025-06-0${2 + day}` });
      const signer = keys[keys.length - 1] as Credentials;
      keys.push(credentialsOf(await checkin(sim, signer)));
      expect((await payWith(sim, keys[keys.length - 1] as Credentials)).biz_response?.result_code).toBe('PAY_SUCCESS');
    }
    // Day D+3 (2025-06-05): k3 is current (issued today), k2 previous (issued D+2): both valid, older ones not.
    expect(sim.terminal(k0.terminalSn)).toEqual({
      terminal_sn: k0.terminalSn,
      generation: 3,
      device_id: 'till-01',
      keys_valid: 2,
      current_issued_day: '2025-06-05',
      previous_issued_day: '2025-06-04',
    });
    const [key0, key1, key2, key3] = keys as [Credentials, Credentials, Credentials, Credentials];
    expect((await payWith(sim, key2)).biz_response?.result_code).toBe('PAY_SUCCESS');
    expect((await payWith(sim, key3)).biz_response?.result_code).toBe('PAY_SUCCESS');
    expect(await payWith(sim, key1)).toEqual(ILLEGAL_SIGN);
    expect(await payWith(sim, key0)).toEqual(ILLEGAL_SIGN);
  });

  it('expires the previous key on its own schedule even when the current one is young', async () => {
    const k0 = await activated(sim); // issued D
    sim.setClockOffset(24 * HOUR); // D+1
    const k1 = credentialsOf(await checkin(sim, k0)); // issued D+1; k0 is previous
    expect((await payWith(sim, k0)).biz_response?.result_code).toBe('PAY_SUCCESS');
    sim.setClockOffset(DAY_PLUS_2); // D+2: k0 dies, k1 lives
    expect(await payWith(sim, k0)).toEqual(ILLEGAL_SIGN);
    expect((await payWith(sim, k1)).biz_response?.result_code).toBe('PAY_SUCCESS');
    expect(sim.terminal(k0.terminalSn)).toMatchObject({ keys_valid: 1, previous_issued_day: '2025-06-02' });
  });
});

describe('without keyExpiry (the default)', () => {
  it('keeps a never-rotated key valid for days', async () => {
    const sim = await startSimulator({ port: 0, terminals: [TERMINAL], clock: () => BASE_MS });
    try {
      sim.setClockOffset(10 * 24 * HOUR);
      expect((await payWith(sim, TERMINAL)).biz_response?.result_code).toBe('PAY_SUCCESS');
      expect(sim.terminal(TERMINAL.terminalSn)?.keys_valid).toBe(1);
    } finally {
      await sim.close();
    }
  });
});

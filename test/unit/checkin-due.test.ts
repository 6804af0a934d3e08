import { MemoryKeyStore } from '../../activities/keys/memory-key-store';
import { terminalsDueForCheckin } from '../../worker/checkin-schedules';

describe('terminalsDueForCheckin', () => {
  it('picks terminals whose key was not received on the current Asia/Shanghai day', async () => {
    const now = Date.parse('2026-11-26T16:30:00Z'); // 00:30 on 11-27 in Shanghai
    const store = new MemoryKeyStore([
      { terminalSn: 'never', currentKey: 'k-never-00' },
      { terminalSn: 'today', currentKey: 'k-today-00', keyReceivedAt: '2026-11-26T16:05:00Z' }, // 00:05 Shanghai
      { terminalSn: 'yesterday', currentKey: 'k-yest-000', keyReceivedAt: '2026-11-26T15:55:00Z' }, // 23:55 the day before
    ]);
    expect(await terminalsDueForCheckin(store, now)).toEqual(['never', 'yesterday']);
  });
});

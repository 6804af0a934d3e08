import type { Dispatcher } from 'undici';
import { GatewayClient } from '../../activities/gateway/client';
import { createGatewayDispatcher } from '../../activities/gateway/http';
import type { RunningSimulator } from '../../simulator';
import { TERMINAL, newClientSn, startTestSimulator } from '../simulator/helpers';

/**
 * money-rules R4 over HTTP: the simulator's unlisted-code knob (simulator/README.md (g)) answers each
 * operation with a code no document lists; the client reads every one as unknown, never as a refusal.
 */
describe('codes no document lists are unknown, on every operation (money-rules R4)', () => {
  let sim: RunningSimulator;
  let dispatcher: Dispatcher;
  let client: GatewayClient;

  beforeAll(async () => {
    sim = await startTestSimulator();
    dispatcher = createGatewayDispatcher(sim.url);
    client = new GatewayClient({ apiDomain: sim.url, dispatcher, terminalKey: () => TERMINAL.terminalKey });
  });
  afterAll(async () => {
    await dispatcher.close();
    await sim.close();
  });

  const lookup = (clientSn: string) => ({ terminal_sn: TERMINAL.terminalSn, client_sn: clientSn });
  const payBody = (clientSn: string, dynamicId: string) => ({
    terminal_sn: TERMINAL.terminalSn,
    client_sn: clientSn,
    total_amount: '1000',
    dynamic_id: dynamicId,
    subject: 's',
    operator: 'o',
  });

  it.each(['odd-pay', 'odd-pay-fail', 'odd-pay-top'])('pay answering %s', async (knob) => {
    const clientSn = newClientSn('ODD');
    const result = await client.pay(payBody(clientSn, `sim-${knob}`));
    expect(result).toMatchObject({ operation: 'pay', kind: 'unknown' });
    expect(result.reason).toMatch(/WEIRD|UPAY_SIM_UNLISTED/);
  });

  it.each([
    ['query', 'odd-query'],
    ['query', 'odd-query-fail'],
    ['cancel', 'odd-cancel'],
    ['cancel', 'odd-cancel-fail'],
    ['cancel', 'odd-cancel-top'],
    ['revoke', 'odd-revoke-fail'],
    ['revoke', 'odd-revoke-fail-commit'],
  ] as const)('%s answering %s', async (operation, knob) => {
    const clientSn = newClientSn('ODD');
    await expect(client.pay(payBody(clientSn, `sim-${knob}`))).resolves.toMatchObject({ kind: 'success' });
    const result = await client[operation](lookup(clientSn));
    expect(result).toMatchObject({ operation, kind: 'unknown' });
    expect(result.reason).toMatch(/WEIRD|UPAY_SIM_UNLISTED/);
  });
});

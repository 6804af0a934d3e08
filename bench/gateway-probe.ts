/**
 * The bare gateway `pay`, timed inside the worker's own process: the same GatewayClient, undici pool and
 * signing the pay activity uses (worker/create-worker.ts), built once from the worker's environment, one
 * call at a time. What is left of a cashier's wait once this is taken away is the orchestration's own cost.
 */
import { GatewayClient } from '../activities/gateway/client';
import { createGatewayDispatcher } from '../activities/gateway/http';
import { loadWorkerConfig } from '../worker/config';
import { Sampler } from './measure';

let probe: { gateway: GatewayClient; terminalSn: string } | undefined;

function gatewayProbe(): { gateway: GatewayClient; terminalSn: string } {
  if (probe) return probe;
  const config = loadWorkerConfig();
  const terminal = config.terminals[0];
  if (!terminal) throw new Error('gateway probe: no terminal configured');
  const gateway = new GatewayClient({
    apiDomain: config.apiDomain,
    dispatcher: createGatewayDispatcher(config.apiDomain),
    terminalKey: () => terminal.terminalKey,
  });
  return (probe = { gateway, terminalSn: terminal.terminalSn });
}

let batch = 0;

/** Latencies (ms) of `n` pay calls one at a time, after `warm` untimed ones. */
export async function timeGatewayPay(n: number, warm: number): Promise<number[]> {
  const { gateway, terminalSn } = gatewayProbe();
  const tag = `G${Date.now().toString(36)}${(batch++).toString(36)}`;
  const pay = async (i: number) => {
    const result = await gateway.pay({
      terminal_sn: terminalSn,
      client_sn: `${tag}-${i.toString(36)}`,
      total_amount: '100',
      dynamic_id: '130818341921441147',
      subject: 'bench',
      operator: 'bench',
    });
    if (result.kind !== 'success') throw new Error(`gateway probe: pay answered ${result.kind} ${result.reason}`);
  };
  await new Sampler().run(warm, (i) => pay(n + i));
  const sampler = new Sampler();
  await sampler.run(n, pay);
  return sampler.latencies;
}

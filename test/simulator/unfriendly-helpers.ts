import { request } from 'undici';
import { authorizationHeader } from '../../activities/gateway/signing';
import type { RunningSimulator, Scenario } from '../../simulator';
import { call, newClientSn, pay, postRaw, TERMINAL } from './helpers';

type Endpoint = 'pay' | 'query' | 'cancel' | 'revoke' | 'refund';

/** A signed call whose answer should never come: resolves with how it was lost (undici's error code). */
export async function lostCall(
  sim: RunningSimulator,
  endpoint: Endpoint,
  fields: Record<string, unknown>,
  terminal = TERMINAL,
  timeoutMs = 300,
): Promise<string> {
  const body = JSON.stringify({ terminal_sn: terminal.terminalSn, ...fields });
  const auth = authorizationHeader(terminal.terminalSn, body, terminal.terminalKey);
  return postRaw(sim, `/upay/v2/${endpoint}`, body, auth, timeoutMs).then(
    (res) => `answered HTTP ${res.status}`,
    (err: unknown) => (err as { code?: string }).code ?? String(err),
  );
}

/** undici's codes for a socket the server destroyed. */
export const RESET = ['UND_ERR_SOCKET', 'ECONNRESET'];

/** What a query says about the order (its status, or the error code when there is none). */
export async function statusOf(sim: RunningSimulator, clientSn: string, terminal = TERMINAL): Promise<string> {
  const biz = (await call(sim, 'query', { client_sn: clientSn }, terminal)).biz_response;
  return biz?.data?.order_status ?? biz?.error_code ?? 'no answer';
}

/** A fresh client_sn with this scenario, paid (the pay's answer is returned with it). */
export async function payWith(sim: RunningSimulator, scenario: Scenario, extra: Record<string, unknown> = {}) {
  const clientSn = newClientSn();
  sim.setScenario(clientSn, scenario);
  return { clientSn, answer: await pay(sim, clientSn, extra) };
}

export async function control(sim: RunningSimulator, method: 'GET' | 'POST', path: string, body?: unknown) {
  const res = await request(`${sim.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.statusCode, json: (await res.body.json()) as Record<string, unknown> };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

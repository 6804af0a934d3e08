import { request } from 'undici';
import type { EnvelopeWire } from '../../activities/gateway/models';
import { authorizationHeader } from '../../activities/gateway/signing';
import type { RunningSimulator } from '../../simulator';
import { startSimulator } from '../../simulator';

export const TERMINAL = { terminalSn: '100000000000000777', terminalKey: '5f4dcc3b5aa765d61d8327deb882cf99' };
export const OTHER_TERMINAL = { terminalSn: '100000000000000888', terminalKey: '0cc175b9c0f1b6a831c399e269772661' };

/** 2025-06-02 10:00:00 Asia/Shanghai: a fixed base so day arithmetic is deterministic. */
export const BASE_MS = Date.UTC(2025, 5, 2, 2, 0, 0);

export async function startTestSimulator(clock: () => number = () => BASE_MS): Promise<RunningSimulator> {
  return startSimulator({ port: 0, terminals: [TERMINAL, OTHER_TERMINAL], clock });
}

export interface RawResponse {
  status: number;
  text: string;
}

/** POST raw bytes with an explicit Authorization header (or none). */
export async function postRaw(
  sim: RunningSimulator,
  path: string,
  body: string,
  authorization: string | undefined,
  timeoutMs = 5_000,
): Promise<RawResponse> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (authorization !== undefined) headers.authorization = authorization;
  const res = await request(`${sim.url}${path}`, {
    method: 'POST',
    headers,
    body,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  return { status: res.statusCode, text: await res.body.text() };
}

/** Signs the exact bytes it sends, like the real client. */
export async function call(
  sim: RunningSimulator,
  endpoint: 'pay' | 'query' | 'cancel' | 'revoke' | 'refund',
  fields: Record<string, unknown>,
  terminal = TERMINAL,
  timeoutMs?: number,
): Promise<EnvelopeWire> {
  const body = JSON.stringify({ terminal_sn: terminal.terminalSn, ...fields });
  const auth = authorizationHeader(terminal.terminalSn, body, terminal.terminalKey);
  const res = await postRaw(sim, `/upay/v2/${endpoint}`, body, auth, timeoutMs);
  expect(res.status).toBe(200);
  return JSON.parse(res.text) as EnvelopeWire;
}

let counter = 0;
/** A fresh client_sn per call so tests never collide. */
export function newClientSn(prefix = 'T'): string {
  counter += 1;
  return `${prefix}${Date.now().toString(36)}${counter}`;
}

export function payFields(clientSn: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    client_sn: clientSn,
    total_amount: '1000',
    dynamic_id: '130818341921441147',
    subject: '测试商品',
    operator: 'cashier_01',
    ...extra,
  };
}

export async function pay(
  sim: RunningSimulator,
  clientSn: string,
  extra: Record<string, unknown> = {},
): Promise<EnvelopeWire> {
  return call(sim, 'pay', payFields(clientSn, extra));
}

/** Every scalar anywhere in a JSON value is a string (arrays/objects are walked). */
export function allScalarsAreStrings(value: unknown): boolean {
  if (Array.isArray(value)) return value.every(allScalarsAreStrings);
  if (value !== null && typeof value === 'object') return Object.values(value).every(allScalarsAreStrings);
  return typeof value === 'string';
}

export function orderOf(sim: RunningSimulator, clientSn: string) {
  const order = sim.ledger().orders.find((o) => o.client_sn === clientSn);
  if (!order) throw new Error(`no order ${clientSn} in the ledger`);
  return order;
}

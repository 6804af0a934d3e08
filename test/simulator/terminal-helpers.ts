import { request } from 'undici';
import type { EnvelopeWire } from '../../activities/gateway/models';
import { authorizationHeader } from '../../activities/gateway/signing';
import type { RunningSimulator, TerminalEnvelopeWire, VendorCredentials } from '../../simulator';
import { DEMO_VENDOR } from '../../simulator';
import type { RawResponse } from './helpers';
import { postRaw } from './helpers';

export interface Credentials {
  terminalSn: string;
  terminalKey: string;
}

export type AnyEnvelope = EnvelopeWire | TerminalEnvelopeWire;

let codes = 0;
/** A fresh single-use activation code (any `sim-code-…` is accepted once). */
export function newCode(): string {
  codes += 1;
  return `sim-code-${Date.now().toString(36)}-${codes}`;
}

export function activateFields(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { app_id: '2016111100000001', code: newCode(), device_id: 'till-01', ...extra };
}

/** POST /terminal/activate signed by a vendor over the exact bytes sent. */
export async function activateRaw(
  sim: RunningSimulator,
  fields: Record<string, unknown>,
  vendor: VendorCredentials = DEMO_VENDOR,
): Promise<RawResponse> {
  const body = JSON.stringify(fields);
  return postRaw(sim, '/terminal/activate', body, authorizationHeader(vendor.vendorSn, body, vendor.vendorKey));
}

export async function activate(
  sim: RunningSimulator,
  fields: Record<string, unknown> = activateFields(),
  vendor: VendorCredentials = DEMO_VENDOR,
): Promise<AnyEnvelope> {
  const res = await activateRaw(sim, fields, vendor);
  expect(res.status).toBe(200);
  return JSON.parse(res.text) as AnyEnvelope;
}

/** Activates a fresh terminal and returns its credentials. */
export async function activated(sim: RunningSimulator, deviceId = 'till-01'): Promise<Credentials> {
  return credentialsOf(await activate(sim, activateFields({ device_id: deviceId })));
}

/** POST /terminal/checkin signed with `signWith` (a terminal's current or an older key). */
export async function checkin(
  sim: RunningSimulator,
  signWith: Credentials,
  deviceId = 'till-01',
  extra: Record<string, unknown> = {},
): Promise<AnyEnvelope> {
  const body = JSON.stringify({ terminal_sn: signWith.terminalSn, device_id: deviceId, ...extra });
  const res = await postRaw(
    sim,
    '/terminal/checkin',
    body,
    authorizationHeader(signWith.terminalSn, body, signWith.terminalKey),
  );
  expect(res.status).toBe(200);
  return JSON.parse(res.text) as AnyEnvelope;
}

/** The credentials in a successful activate/check-in answer; fails the test on anything else. */
export function credentialsOf(envelope: AnyEnvelope): Credentials {
  expect(envelope.result_code).toBe('200');
  const biz = (envelope as TerminalEnvelopeWire).biz_response;
  if (!biz) throw new Error(`no credentials in ${JSON.stringify(envelope)}`);
  return { terminalSn: biz.terminal_sn, terminalKey: biz.terminal_key };
}

export async function control(sim: RunningSimulator, method: 'GET' | 'POST', path: string, body?: unknown) {
  const res = await request(`${sim.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.statusCode, text: await res.body.text() };
}

export const ILLEGAL_SIGN = { result_code: '400', error_code: 'ILLEGAL_SIGN', error_message: '签名错误' };

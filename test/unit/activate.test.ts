import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileKeyStore, KeyStoreError } from '../../activities/keys/file-key-store';
import { ActivationFailedError, activate, validateActivateRequest, type ActivateRequest } from '../../client/activate';
import { InvalidRequestError } from '../../client/errors';
import type { RunningSimulator } from '../../simulator';
import { DEMO_VENDOR } from '../../simulator';
import { call, newClientSn, payFields, startTestSimulator } from '../simulator/helpers';
import { newCode } from '../simulator/terminal-helpers';
import { freePort } from '../../scripts/stack/ports';

const VENDOR_KEY = DEMO_VENDOR.vendorKey;

function request(extra: Partial<ActivateRequest> = {}): ActivateRequest {
  return {
    apiDomain: 'http://127.0.0.1:1',
    vendorSn: DEMO_VENDOR.vendorSn,
    vendorKey: VENDOR_KEY,
    appId: '2016111100000001',
    code: newCode(),
    deviceId: 'till-activate',
    ...extra,
  };
}

describe('validateActivateRequest', () => {
  it('accepts a complete request', () => {
    expect(validateActivateRequest(request())).toEqual([]);
    expect(validateActivateRequest(request({ name: '前台收银 1' }))).toEqual([]);
  });

  it('names every missing field at once', () => {
    expect(validateActivateRequest({}).map((p) => p.field)).toEqual([
      'apiDomain',
      'vendorSn',
      'vendorKey',
      'appId',
      'code',
      'deviceId',
    ]);
  });

  it.each<[string, string, Partial<ActivateRequest>]>([
    ['apiDomain without scheme', 'apiDomain', { apiDomain: 'vsi-api.shouqianba.com' }],
    ['apiDomain of another scheme', 'apiDomain', { apiDomain: 'ftp://gateway' }],
    ['apiDomain with no host', 'apiDomain', { apiDomain: 'http://' }],
    ['apiDomain that is no URL', 'apiDomain', { apiDomain: 'http://exa mple.com' }],
    ['vendorSn with a space', 'vendorSn', { vendorSn: '9180 0001' }],
    ['vendorKey too short', 'vendorKey', { vendorKey: 'abc' }],
    ['vendorKey with whitespace', 'vendorKey', { vendorKey: `${VENDOR_KEY} x` }],
    ['appId too long', 'appId', { appId: '1'.repeat(65) }],
    ['code with a non-ASCII character', 'code', { code: '激活码' }],
    ['deviceId too long', 'deviceId', { deviceId: 'd'.repeat(129) }],
    ['deviceId empty', 'deviceId', { deviceId: '' }],
    ['name empty', 'name', { name: '' }],
    ['name over 128 characters', 'name', { name: 'n'.repeat(129) }],
  ])('%s → names %s only', (_name, field, change) => {
    expect(validateActivateRequest(request(change)).map((p) => p.field)).toEqual([field]);
  });

  it('counts name length in characters, as the gateway does (128 emoji are 128 characters)', () => {
    expect(validateActivateRequest(request({ name: '🧾'.repeat(128) }))).toEqual([]);
    expect(validateActivateRequest(request({ name: '🧾'.repeat(129) })).map((p) => p.field)).toEqual(['name']);
  });

  it('never echoes the vendor key, whatever is wrong with it', () => {
    const secrets = ['short12', `${VENDOR_KEY} trailing`, `\t${VENDOR_KEY}`, 'k'.repeat(7)];
    for (const vendorKey of secrets) {
      const problems = validateActivateRequest(request({ vendorKey, apiDomain: 'nope' }));
      expect(problems.map((p) => p.field)).toEqual(['apiDomain', 'vendorKey']);
      const text = JSON.stringify(problems) + new InvalidRequestError(problems).message;
      expect(text).not.toContain(vendorKey);
      expect(text).not.toContain(vendorKey.trim());
    }
  });

  it('activate refuses an invalid request before any call, with InvalidRequestError (no TypeError from URL)', async () => {
    const store = new FileKeyStore(path.join(tmpdir(), `never-${newClientSn()}.json`));
    for (const apiDomain of ['', 'http://', 'http://exa mple.com']) {
      await expect(activate(request({ apiDomain }), store)).rejects.toBeInstanceOf(InvalidRequestError);
    }
    expect(await store.terminalSns()).toEqual([]);
  });
});

describe('activate against the real simulator', () => {
  let sim: RunningSimulator;
  let dir: string;
  let file: string;
  let store: FileKeyStore;

  beforeAll(async () => {
    sim = await startTestSimulator();
    dir = await mkdtemp(path.join(tmpdir(), 'activate-'));
  });
  afterAll(async () => {
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    file = path.join(dir, `${newClientSn('keys')}.json`);
    store = new FileKeyStore(file);
  });

  it('stores the new terminal (device id, key) in a 0600 FileKeyStore; the key signs a pay', async () => {
    const before = Date.now();
    const { terminalSn } = await activate(request({ apiDomain: `${sim.url}/`, deviceId: 'till-42' }), store);
    expect(terminalSn).toMatch(/^\d{18}$/);
    const stored = await store.get(terminalSn);
    expect(stored).toEqual({
      terminalSn,
      deviceId: 'till-42',
      currentKey: expect.stringMatching(/^[0-9a-f]{32}$/),
      keyReceivedAt: expect.any(String),
    });
    expect(Date.parse(stored!.keyReceivedAt!)).toBeGreaterThanOrEqual(before - 1000);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(sim.terminal(terminalSn)).toMatchObject({ device_id: 'till-42', generation: 0 });
    const paid = await call(sim, 'pay', payFields(newClientSn()), { terminalSn, terminalKey: stored!.currentKey });
    expect(paid.biz_response?.result_code).toBe('PAY_SUCCESS');
    // The vendor key is not stored anywhere.
    expect(await readFile(file, 'utf8')).not.toContain(VENDOR_KEY);
  });

  it('a second terminal joins the same file without touching the first', async () => {
    const one = await activate(request({ apiDomain: sim.url, deviceId: 'till-a' }), store);
    const first = await store.get(one.terminalSn);
    const two = await activate(request({ apiDomain: sim.url, deviceId: 'till-b' }), store);
    expect((await store.terminalSns()).sort()).toEqual([one.terminalSn, two.terminalSn].sort());
    expect(await store.get(one.terminalSn)).toEqual(first);
  });

  it('a used code → ActivationFailedError spent=false (ACTIVATE_FAIL); the store is unchanged', async () => {
    const code = newCode();
    const { terminalSn } = await activate(request({ apiDomain: sim.url, code }), store);
    const bytes = await readFile(file, 'utf8');
    const err = await activate(request({ apiDomain: sim.url, code, deviceId: 'till-other' }), store).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ActivationFailedError);
    expect(err).toMatchObject({ spent: false, reason: 'result_code 400 ACTIVATE_FAIL' });
    expect((err as Error).message).toMatch(/^activation refused: /);
    expect(await readFile(file, 'utf8')).toBe(bytes);
    expect(await store.terminalSns()).toEqual([terminalSn]);
  });

  it.each([
    ['an unknown vendor', { vendorSn: '91800000000000999' }],
    ['a wrong vendor key', { vendorKey: '0123456789abcdef0123456789abcdef' }],
  ])('%s → refused (ILLEGAL_SIGN, spent=false), the key never echoed, the code still usable', async (_n, change) => {
    const code = newCode();
    const req = request({ apiDomain: sim.url, code, ...change });
    const err = await activate(req, store).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActivationFailedError);
    expect(err).toMatchObject({ spent: false, reason: 'result_code 400 ILLEGAL_SIGN' });
    const text = `${(err as Error).message}\n${(err as Error).stack ?? ''}\n${JSON.stringify(err)}`;
    expect(text).not.toContain(req.vendorKey);
    expect(await store.terminalSns()).toEqual([]);
    // Nothing was spent: the right vendor can still use the code.
    await activate(request({ apiDomain: sim.url, code }), store);
    expect(await store.terminalSns()).toHaveLength(1);
  });

  it('no answer (closed port) → ActivationFailedError spent=true: the code may be used up', async () => {
    const port = await freePort();
    const err = await activate(request({ apiDomain: `http://127.0.0.1:${port}` }), store).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ActivationFailedError);
    expect(err).toMatchObject({ spent: true, reason: 'transport ECONNREFUSED' });
    expect((err as Error).message).toMatch(/may already be used/);
    expect(await store.terminalSns()).toEqual([]);
  });

  it('an unreadable key store is found before the code is spent', async () => {
    await writeFile(file, '{"version":1,"terminals":', { mode: 0o600 });
    const code = newCode();
    await expect(activate(request({ apiDomain: sim.url, code }), store)).rejects.toBeInstanceOf(KeyStoreError);
    // The code was not traded for a terminal whose key could not be kept.
    await rm(file);
    const { terminalSn } = await activate(request({ apiDomain: sim.url, code }), store);
    expect(await store.get(terminalSn)).toBeDefined();
  });
});

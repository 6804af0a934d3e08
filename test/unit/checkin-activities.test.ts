import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApplicationFailure } from '@temporalio/activity';
import type { LogLevel, LogMetadata, Logger } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { Dispatcher } from 'undici';
import { createCheckinActivities } from '../../activities/checkin-activities';
import { createGatewayDispatcher } from '../../activities/gateway/http';
import { checkinTerminal } from '../../activities/gateway/terminal-calls';
import { FileKeyStore } from '../../activities/keys/file-key-store';
import type { StoredTerminal, TerminalKeyStore } from '../../activities/keys/key-store';
import { MemoryKeyStore } from '../../activities/keys/memory-key-store';
import type { RunningSimulator, TerminalView } from '../../simulator';
import { CheckinFailure, type CheckinInput, type CheckinResult } from '../../workflows/checkin-types';
import { call, newClientSn, payFields, startTestSimulator } from '../simulator/helpers';
import { activated, control, type Credentials } from '../simulator/terminal-helpers';

const DEVICE = 'till-checkin';
const NOW = new Date('2025-06-02T16:30:00.000Z'); // 00:30 Asia/Shanghai, the schedule's hour

/** Everything the activities log, to check that no key gets there. */
class CapturingLogger implements Logger {
  readonly entries: { level: LogLevel; message: string; meta?: LogMetadata }[] = [];
  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    this.entries.push({ level, message, ...(meta ? { meta } : {}) });
  }
  trace = (m: string, meta?: LogMetadata) => this.log('TRACE', m, meta);
  debug = (m: string, meta?: LogMetadata) => this.log('DEBUG', m, meta);
  info = (m: string, meta?: LogMetadata) => this.log('INFO', m, meta);
  warn = (m: string, meta?: LogMetadata) => this.log('WARN', m, meta);
  error = (m: string, meta?: LogMetadata) => this.log('ERROR', m, meta);
}

describe('check-in activity (MockActivityEnvironment, real simulator over HTTP)', () => {
  let sim: RunningSimulator;
  let dispatcher: Dispatcher;
  let dir: string;
  let logger: CapturingLogger;
  /** Every key seen in any test, and every error thrown: checked for leaks at the end. */
  const keysSeen = new Set<string>();
  const errors: unknown[] = [];

  beforeAll(async () => {
    sim = await startTestSimulator();
    dispatcher = createGatewayDispatcher(sim.url);
    dir = await mkdtemp(path.join(tmpdir(), 'checkin-'));
    logger = new CapturingLogger();
  });
  afterAll(async () => {
    await dispatcher.close();
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  function activitiesFor(keyStore: TerminalKeyStore, onCheckin?: () => void) {
    return createCheckinActivities({
      keyStore,
      checkin: (body, key) => {
        onCheckin?.();
        return checkinTerminal({ dispatcher, origin: sim.url }, body, key);
      },
      now: () => NOW,
    });
  }

  async function run(acts: ReturnType<typeof activitiesFor>, terminalSn: string): Promise<CheckinResult> {
    const env = new MockActivityEnvironment({ activityType: 'checkinTerminal' }, { logger });
    return env
      .run<[CheckinInput], CheckinResult, typeof acts.checkinTerminal>(acts.checkinTerminal, { terminalSn })
      .catch((err: unknown) => {
        errors.push(err);
        throw err;
      });
  }

  /** A freshly activated terminal, stored the way `activate` stores it. */
  async function storedTerminal(): Promise<{ k0: Credentials; entry: StoredTerminal }> {
    const k0 = await activated(sim, DEVICE);
    keysSeen.add(k0.terminalKey);
    return {
      k0,
      entry: {
        terminalSn: k0.terminalSn,
        deviceId: DEVICE,
        currentKey: k0.terminalKey,
        keyReceivedAt: '2025-06-01T16:30:00.000Z',
      },
    };
  }

  async function viewOf(terminalSn: string): Promise<TerminalView> {
    const res = await control(sim, 'GET', `/_sim/terminals/${terminalSn}`);
    expect(res.status).toBe(200);
    return JSON.parse(res.text) as TerminalView;
  }

  async function payResult(terminalSn: string, terminalKey: string) {
    const envelope = await call(sim, 'pay', payFields(newClientSn('ck')), { terminalSn, terminalKey });
    return envelope.biz_response?.result_code ?? envelope.error_code;
  }

  async function expectFailure(p: Promise<unknown>, type: string, nonRetryable: boolean): Promise<ApplicationFailure> {
    const err = await p.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type, nonRetryable });
    return err as ApplicationFailure;
  }

  it.each([
    ['MemoryKeyStore', () => new MemoryKeyStore()],
    ['FileKeyStore', () => new FileKeyStore(path.join(dir, `${newClientSn('f')}.json`))],
  ])('success rotates the key in a %s; the new key signs a pay', async (_name, makeStore) => {
    const store = makeStore();
    const { k0, entry } = await storedTerminal();
    await store.put(entry);
    const acts = activitiesFor(store);

    const result = await run(acts, k0.terminalSn);
    expect(result).toEqual({ terminalSn: k0.terminalSn, checkedInAt: NOW.toISOString() });
    expect(JSON.stringify(result)).not.toContain(k0.terminalKey);

    const after = await store.get(k0.terminalSn);
    expect(after).toEqual({
      terminalSn: k0.terminalSn,
      deviceId: DEVICE,
      currentKey: expect.stringMatching(/^[0-9a-f]{32}$/),
      previousKey: k0.terminalKey,
      keyReceivedAt: NOW.toISOString(),
      lastCheckin: { at: NOW.toISOString(), ok: true },
    });
    keysSeen.add(after!.currentKey);
    expect(after!.currentKey).not.toBe(k0.terminalKey);
    expect(await viewOf(k0.terminalSn)).toMatchObject({ generation: 1, device_id: DEVICE, keys_valid: 2 });
    expect(await payResult(k0.terminalSn, after!.currentKey)).toBe('PAY_SUCCESS');

    // A second check-in signs with the new key and rotates again: the first key is then dead.
    await run(acts, k0.terminalSn);
    const again = await store.get(k0.terminalSn);
    keysSeen.add(again!.currentKey);
    expect(again?.previousKey).toBe(after!.currentKey);
    expect(await payResult(k0.terminalSn, again!.currentKey)).toBe('PAY_SUCCESS');
    expect(await payResult(k0.terminalSn, k0.terminalKey)).toBe('ILLEGAL_SIGN');
  });

  it("'error' fault: retryable CheckinNoAnswer, keys unchanged, lastCheckin.ok false", async () => {
    const store = new MemoryKeyStore();
    const { k0, entry } = await storedTerminal();
    await store.put(entry);
    sim.setCheckinFault(k0.terminalSn, 1, 'error');

    const failure = await expectFailure(run(activitiesFor(store), k0.terminalSn), CheckinFailure.NoAnswer, false);
    expect(failure.message).toContain(k0.terminalSn);
    expect(await store.get(k0.terminalSn)).toEqual({
      ...entry,
      lastCheckin: { at: NOW.toISOString(), ok: false, error: 'result_code 500 UNKNOWN_SYSTEM_ERROR' },
    });
    expect(await viewOf(k0.terminalSn)).toMatchObject({ generation: 0 });
    expect(await payResult(k0.terminalSn, k0.terminalKey)).toBe('PAY_SUCCESS');
  });

  it("'drop' then a retry: the retry (signed with the old key, now the gateway's previous) succeeds", async () => {
    const store = new FileKeyStore(path.join(dir, 'drop.json'));
    const { k0, entry } = await storedTerminal();
    await store.put(entry);
    sim.setCheckinFault(k0.terminalSn, 1, 'drop');
    const acts = activitiesFor(store);

    await expectFailure(run(acts, k0.terminalSn), CheckinFailure.NoAnswer, false);
    expect((await store.get(k0.terminalSn))?.currentKey).toBe(k0.terminalKey);
    expect((await store.get(k0.terminalSn))?.lastCheckin).toMatchObject({ ok: false });
    // The gateway rotated without telling us; the stored key still signs as its previous key.
    expect(await viewOf(k0.terminalSn)).toMatchObject({ generation: 1 });
    expect(await payResult(k0.terminalSn, k0.terminalKey)).toBe('PAY_SUCCESS');

    await run(acts, k0.terminalSn);
    const after = await store.get(k0.terminalSn);
    keysSeen.add(after!.currentKey);
    expect(after).toMatchObject({ currentKey: expect.not.stringMatching(k0.terminalKey), lastCheckin: { ok: true } });
    expect(await viewOf(k0.terminalSn)).toMatchObject({ generation: 2 });
    expect(await payResult(k0.terminalSn, after!.currentKey)).toBe('PAY_SUCCESS');
    // The stored previous key is the one that signed the retry, but the gateway's previous key is the one whose
    // answer was lost: previousKey is a record, not a key to fall back on.
    expect(after?.previousKey).toBe(k0.terminalKey);
    expect(await payResult(k0.terminalSn, k0.terminalKey)).toBe('ILLEGAL_SIGN');
  });

  it('two drops then a retry: the stored key is two rotations old → non-retryable CheckinKeyRejected', async () => {
    const store = new MemoryKeyStore();
    const { k0, entry } = await storedTerminal();
    await store.put(entry);
    sim.setCheckinFault(k0.terminalSn, 2, 'drop');
    const acts = activitiesFor(store);

    await expectFailure(run(acts, k0.terminalSn), CheckinFailure.NoAnswer, false);
    await expectFailure(run(acts, k0.terminalSn), CheckinFailure.NoAnswer, false);
    const failure = await expectFailure(run(acts, k0.terminalSn), CheckinFailure.KeyRejected, true);
    expect(failure.message).toMatch(/re-activate/);
    expect(await store.get(k0.terminalSn)).toMatchObject({
      currentKey: k0.terminalKey,
      lastCheckin: { ok: false, error: 'result_code 400 ILLEGAL_SIGN' },
    });
    expect(await viewOf(k0.terminalSn)).toMatchObject({ generation: 2 });
  });

  it('a device_id the gateway does not know for the terminal → non-retryable CheckinRefused', async () => {
    const store = new MemoryKeyStore();
    const { k0, entry } = await storedTerminal();
    await store.put({ ...entry, deviceId: 'another-till' });
    await expectFailure(run(activitiesFor(store), k0.terminalSn), CheckinFailure.Refused, true);
    expect((await store.get(k0.terminalSn))?.currentKey).toBe(k0.terminalKey);
    expect(await viewOf(k0.terminalSn)).toMatchObject({ generation: 0 });
  });

  it('unknown terminal, or one without device_id → TerminalNotInKeyStore, and no gateway call', async () => {
    const { k0, entry } = await storedTerminal();
    const withoutDevice: StoredTerminal = { ...entry };
    delete withoutDevice.deviceId;
    const store = new MemoryKeyStore([withoutDevice]);
    const gatewayCalls = jest.fn();
    const acts = activitiesFor(store, gatewayCalls);

    const missing = await expectFailure(run(acts, '100000000000009999'), CheckinFailure.NotInKeyStore, true);
    expect(missing.message).toMatch(/not in this worker's key store/);
    const noDevice = await expectFailure(run(acts, k0.terminalSn), CheckinFailure.NotInKeyStore, true);
    expect(noDevice.message).toMatch(/no device_id/);
    expect(gatewayCalls).not.toHaveBeenCalled();
    expect(await store.get(k0.terminalSn)).toEqual(withoutDevice); // nothing recorded
  });

  it('a terminal removed from the store during its check-in → TerminalNotInKeyStore, not a success', async () => {
    const { k0, entry } = await storedTerminal();
    const store = new MemoryKeyStore([entry]);
    // The entry disappears while the gateway call runs (an operator edits the store by hand).
    const acts = activitiesFor(store, () => void store.remove(k0.terminalSn));
    const failure = await expectFailure(run(acts, k0.terminalSn), CheckinFailure.NotInKeyStore, true);
    expect(failure.message).toMatch(/left the key store during its check-in/);
    expect(await viewOf(k0.terminalSn)).toMatchObject({ generation: 1 });
  });

  it('a key store that fails to write after the gateway rotated → non-retryable KeyNotStored, old key kept', async () => {
    const { k0, entry } = await storedTerminal();
    class FullDisk extends MemoryKeyStore {
      override update(): never {
        throw Object.assign(new Error('no space left'), { name: 'ENOSPC' });
      }
    }
    const store = new FullDisk([entry]);
    const failure = await expectFailure(run(activitiesFor(store), k0.terminalSn), CheckinFailure.KeyNotStored, true);
    expect(failure.message).toMatch(/could not be stored/);
    expect(await viewOf(k0.terminalSn)).toMatchObject({ generation: 1 });
    // The old key is the gateway's previous one now: it still signs.
    expect((await store.get(k0.terminalSn))?.currentKey).toBe(k0.terminalKey);
    const paid = await call(sim, 'pay', payFields(newClientSn()), k0);
    expect(paid.biz_response?.result_code).toBe('PAY_SUCCESS');
  });

  it('two concurrent calls for one terminal make one gateway check-in and share its result', async () => {
    const store = new FileKeyStore(path.join(dir, 'concurrent.json'));
    const { k0, entry } = await storedTerminal();
    await store.put(entry);
    const gatewayCalls = jest.fn();
    const acts = activitiesFor(store, gatewayCalls);

    const [a, b] = await Promise.all([run(acts, k0.terminalSn), run(acts, k0.terminalSn)]);
    expect(a).toEqual(b);
    expect(gatewayCalls).toHaveBeenCalledTimes(1);
    expect(await viewOf(k0.terminalSn)).toMatchObject({ generation: 1 });
    const after = await store.get(k0.terminalSn);
    keysSeen.add(after!.currentKey);
    expect(after?.previousKey).toBe(k0.terminalKey);
    expect(await payResult(k0.terminalSn, after!.currentKey)).toBe('PAY_SUCCESS');

    // Once finished, the next call checks in again.
    await run(acts, k0.terminalSn);
    expect(gatewayCalls).toHaveBeenCalledTimes(2);
    keysSeen.add((await store.get(k0.terminalSn))!.currentKey);
  });

  it('concurrent calls for two terminals both run', async () => {
    const store = new MemoryKeyStore();
    const one = await storedTerminal();
    const two = await storedTerminal();
    await store.put(one.entry);
    await store.put(two.entry);
    const acts = activitiesFor(store);
    await Promise.all([run(acts, one.k0.terminalSn), run(acts, two.k0.terminalSn)]);
    expect(await viewOf(one.k0.terminalSn)).toMatchObject({ generation: 1 });
    expect(await viewOf(two.k0.terminalSn)).toMatchObject({ generation: 1 });
    for (const sn of [one.k0.terminalSn, two.k0.terminalSn]) keysSeen.add((await store.get(sn))!.currentKey);
  });

  it('no key appears in any thrown error or log line of this file', () => {
    expect(errors.length).toBeGreaterThanOrEqual(8);
    expect(keysSeen.size).toBeGreaterThanOrEqual(8);
    expect(logger.entries.length).toBeGreaterThan(0);
    const texts = [
      ...errors.map((e) => {
        const f = e as ApplicationFailure;
        return `${f.message}\n${f.stack ?? ''}\n${JSON.stringify(f.details ?? null)}\n${JSON.stringify(f)}`;
      }),
      ...logger.entries.map((e) => JSON.stringify(e)),
    ];
    for (const key of keysSeen) {
      for (const text of texts) expect(text).not.toContain(key);
    }
  });
});

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { FileKeyStore, KeyStoreError } from '../../activities/keys/file-key-store';
import type { StoredTerminal } from '../../activities/keys/key-store';

const KEY_A = '5f4dcc3b5aa765d61d8327deb882cf99';
const KEY_B = '0cc175b9c0f1b6a831c399e269772661';

function terminal(terminalSn: string, currentKey = KEY_A, extra: Partial<StoredTerminal> = {}): StoredTerminal {
  return { terminalSn, deviceId: 'till-01', currentKey, ...extra };
}

const modeOf = async (file: string) => (await stat(file)).mode & 0o777;

describe('FileKeyStore (real files in a temp dir)', () => {
  let dir: string;
  let file: string;

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'key-store-'));
    file = path.join(dir, 'keys.json');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('reads a missing file as empty and creates nothing by reading', async () => {
    const store = new FileKeyStore(file);
    expect(await store.get('100000000000000001')).toBeUndefined();
    expect(await store.terminalSns()).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });

  it('creates the file with mode 0600, in a missing directory too, and keeps 0600 on every replace', async () => {
    const nested = path.join(dir, 'a', 'b', 'keys.json');
    const store = new FileKeyStore(nested);
    await store.put(terminal('1'));
    expect(await modeOf(nested)).toBe(0o600);
    await store.put(terminal('2'));
    await store.update('1', (t) => ({ ...t, currentKey: KEY_B }));
    expect(await modeOf(nested)).toBe(0o600);
  });

  it('tightens a hand-made 0644 file to 0600 on the first write', async () => {
    await writeFile(file, JSON.stringify({ version: 1, terminals: { '1': terminal('1') } }), { mode: 0o644 });
    await chmod(file, 0o644);
    const store = new FileKeyStore(file);
    expect(await store.get('1')).toEqual(terminal('1'));
    await store.put(terminal('2'));
    expect(await modeOf(file)).toBe(0o600);
  });

  it('put / get / update / terminalSns round-trip through the file', async () => {
    const store = new FileKeyStore(file);
    await store.put(terminal('1'));
    await store.put(terminal('2', KEY_B));
    expect((await store.terminalSns()).sort()).toEqual(['1', '2']);
    expect(await store.get('2')).toEqual(terminal('2', KEY_B));

    const next = await store.update('1', (t) => ({ ...t, previousKey: t.currentKey, currentKey: KEY_B }));
    expect(next).toEqual(terminal('1', KEY_B, { previousKey: KEY_A }));
    // Another instance (e.g. a restarted worker) reads what was written.
    expect(await new FileKeyStore(file).get('1')).toEqual(next);
    // put replaces the whole entry.
    await store.put(terminal('1', KEY_A));
    expect(await store.get('1')).toEqual(terminal('1', KEY_A));

    const onDisk = JSON.parse(await readFile(file, 'utf8')) as unknown;
    expect(onDisk).toEqual({ version: 1, terminals: { '1': terminal('1', KEY_A), '2': terminal('2', KEY_B) } });
  });

  it('update of an unknown terminal returns undefined, never calls the change and writes nothing', async () => {
    const store = new FileKeyStore(file);
    const change = jest.fn((t: StoredTerminal) => t);
    expect(await store.update('nope', change)).toBeUndefined();
    expect(change).not.toHaveBeenCalled();
    expect(await readdir(dir)).toEqual([]); // no file created for nothing

    await store.put(terminal('1'));
    const before = await stat(file);
    const bytes = await readFile(file, 'utf8');
    expect(await store.update('nope', change)).toBeUndefined();
    const after = await stat(file);
    expect(after.ino).toBe(before.ino); // not replaced
    expect(await readFile(file, 'utf8')).toBe(bytes);
  });

  it('50 concurrent updates from one instance lose none', async () => {
    const store = new FileKeyStore(file);
    await store.put(terminal('1', KEY_A, { previousKey: '' }));
    const n = 50;
    const results = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        store.update('1', (t) => ({ ...t, previousKey: `${t.previousKey ?? ''}${i},` })),
      ),
    );
    const seen = (await store.get('1'))?.previousKey?.split(',').filter(Boolean).map(Number);
    expect(seen?.sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i));
    // Each update saw the one before it: the intermediate values grow by one entry each.
    const lengths = results.map((r) => r?.previousKey?.split(',').filter(Boolean).length).sort((a, b) => a! - b!);
    expect(lengths).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  });

  it('updates from three instances at once (as from three worker processes) lose none: the lock file', async () => {
    // Each instance has its own in-process queue, so only the lock next to the file keeps them apart.
    const stores = [new FileKeyStore(file), new FileKeyStore(file), new FileKeyStore(file)];
    await stores[0]!.put(terminal('1', KEY_A, { previousKey: '' }));
    await Promise.all(
      stores.flatMap((store, s) =>
        Array.from({ length: 20 }, (_, i) =>
          store.update('1', (t) => ({ ...t, previousKey: `${t.previousKey ?? ''}${s * 100 + i},` })),
        ),
      ),
    );
    const seen = (await stores[1]!.get('1'))?.previousKey?.split(',').filter(Boolean).map(Number);
    expect(seen).toHaveLength(60);
    expect(await readdir(dir)).toEqual(['keys.json']);
  });

  it('takes over a lock left by a process that died (older than 30 s)', async () => {
    const store = new FileKeyStore(file);
    await store.put(terminal('1'));
    await writeFile(`${file}.lock`, '');
    const old = new Date(Date.now() - 60_000);
    await utimes(`${file}.lock`, old, old);
    await store.update('1', (t) => ({ ...t, currentKey: KEY_B }));
    expect((await store.get('1'))?.currentKey).toBe(KEY_B);
    expect(await readdir(dir)).toEqual(['keys.json']);
  });

  it('concurrent puts of different terminals and updates interleaved lose none', async () => {
    const store = new FileKeyStore(file);
    await store.put(terminal('counter', KEY_A, { previousKey: '0' }));
    await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => store.put(terminal(`t${i}`))),
      ...Array.from({ length: 20 }, () =>
        store.update('counter', (t) => ({ ...t, previousKey: String(Number(t.previousKey) + 1) })),
      ),
    ]);
    expect(await store.terminalSns()).toHaveLength(21);
    expect((await store.get('counter'))?.previousKey).toBe('20');
  });

  it('a failing change does not block later writes', async () => {
    const store = new FileKeyStore(file);
    await store.put(terminal('1'));
    const failing = store.update('1', () => {
      throw new Error('boom');
    });
    const later = store.update('1', (t) => ({ ...t, currentKey: KEY_B }));
    await expect(failing).rejects.toThrow('boom');
    expect((await later)?.currentKey).toBe(KEY_B);
  });

  it('a reader (another instance, and raw reads) never sees a torn file while writes happen', async () => {
    const writer = new FileKeyStore(file);
    const reader = new FileKeyStore(file);
    // A large-ish file so a non-atomic write would be visible half-done.
    const padding = 'x'.repeat(64 * 1024);
    await writer.put(terminal('1', KEY_A, { lastCheckin: { at: padding, ok: true } }));
    let done = false;
    const writes = (async () => {
      try {
        for (let i = 0; i < 60; i += 1) {
          await writer.update('1', (t) => ({ ...t, currentKey: i % 2 === 0 ? KEY_B : KEY_A }));
          await writer.put(terminal(`extra-${i % 5}`, KEY_B, { lastCheckin: { at: padding, ok: false } }));
        }
      } finally {
        done = true;
      }
    })();
    let reads = 0;
    while (!done) {
      const raw = await readFile(file, 'utf8');
      expect(() => JSON.parse(raw) as unknown).not.toThrow();
      const t = await reader.get('1');
      expect([KEY_A, KEY_B]).toContain(t?.currentKey);
      expect(t?.lastCheckin?.at).toBe(padding);
      reads += 1;
    }
    await writes;
    expect(reads).toBeGreaterThan(5);
  });

  it('leaves no temp file behind after many writes', async () => {
    const store = new FileKeyStore(file);
    await Promise.all(Array.from({ length: 30 }, (_, i) => store.put(terminal(String(i)))));
    await store.update('3', (t) => ({ ...t, currentKey: KEY_B }));
    expect(await readdir(dir)).toEqual(['keys.json']);
  });

  it('leaves no temp file behind when a write fails, and keeps the old file', async () => {
    const store = new FileKeyStore(file);
    await store.put(terminal('1'));
    const bytes = await readFile(file, 'utf8');
    // A value JSON cannot serialise makes the write fail after the temp file was opened.
    const bad = { ...terminal('2'), keyReceivedAt: BigInt(1) } as unknown as StoredTerminal;
    await expect(store.put(bad)).rejects.toThrow();
    expect(await readdir(dir)).toEqual(['keys.json']);
    expect(await readFile(file, 'utf8')).toBe(bytes);
    // The store still works afterwards.
    await store.put(terminal('3'));
    expect((await store.terminalSns()).sort()).toEqual(['1', '3']);
  });

  it('refuses to write an entry it could not read back (no key, or stored under another sn)', async () => {
    const store = new FileKeyStore(file);
    await store.put(terminal('1'));
    const bytes = await readFile(file, 'utf8');
    const noKey = { terminalSn: '2', deviceId: 'till-01' } as unknown as StoredTerminal;
    await expect(store.put(noKey)).rejects.toBeInstanceOf(KeyStoreError);
    await expect(store.update('1', (t) => ({ ...t, terminalSn: '9' }))).rejects.toBeInstanceOf(KeyStoreError);
    expect(await readFile(file, 'utf8')).toBe(bytes);
    expect(await store.get('1')).toEqual(terminal('1'));
  });

  it('leaves no temp file behind when the rename fails', async () => {
    const store = new FileKeyStore(file);
    await store.put(terminal('1'));
    // Between the read and the replace, something puts a non-empty directory where the file was.
    const failing = store.update('1', (t) => {
      rmSync(file);
      mkdirSync(file);
      writeFileSync(path.join(file, 'occupied'), '');
      return { ...t, currentKey: KEY_B };
    });
    await expect(failing).rejects.toMatchObject({ code: expect.stringMatching(/^(EISDIR|ENOTEMPTY|EEXIST)$/) });
    expect(await readdir(dir)).toEqual(['keys.json']);
    expect(await readdir(file)).toEqual(['occupied']);
  });

  describe('a corrupt file gives KeyStoreError naming the file, never its content', () => {
    const secret = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
    it.each([
      ['truncated JSON', `{"version":1,"terminals":{"1":{"terminalSn":"1","currentKey":"${secret}"`, /not valid JSON/],
      ['wrong version', JSON.stringify({ version: 2, terminals: { '1': { currentKey: secret } } }), /expected/],
      ['terminals missing', JSON.stringify({ version: 1, keys: { '1': secret } }), /expected/],
      ['not an object', JSON.stringify(secret), /expected/],
      ['null', 'null', /expected/],
      // An array passed the old check, and a put into it was silently dropped by JSON.stringify.
      ['terminals an array', JSON.stringify({ version: 1, terminals: [secret] }), /expected/],
      ['an entry that is a bare key', JSON.stringify({ version: 1, terminals: { '1': secret } }), /entry #1/],
      [
        'an entry without currentKey',
        JSON.stringify({ version: 1, terminals: { '1': { terminalSn: '1', key: secret } } }),
        /entry #1/,
      ],
      [
        'a key where the sn belongs',
        JSON.stringify({ version: 1, terminals: { [secret]: { terminalSn: '1', currentKey: secret } } }),
        /entry #1/,
      ],
    ])('%s', async (_name, content, problem) => {
      await writeFile(file, content, { mode: 0o600 });
      const store = new FileKeyStore(file);
      for (const op of [
        () => store.get('1'),
        () => store.terminalSns(),
        () => store.put(terminal('2')),
        () => store.update('1', (t) => t),
      ]) {
        const err = await op().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(err).toBeInstanceOf(KeyStoreError);
        const { message, name, stack } = err as KeyStoreError;
        expect(name).toBe('KeyStoreError');
        expect(message).toContain(file);
        expect(message).toMatch(problem);
        expect(message).not.toContain(secret);
        expect(stack).not.toContain(secret);
        expect(JSON.stringify(err)).not.toContain(secret);
      }
      // Writes refuse rather than overwrite what they could not read.
      expect(await readFile(file, 'utf8')).toBe(content);
      expect(await readdir(dir)).toEqual(['keys.json']);
    });

    it('an unreadable path names the errno only', async () => {
      await mkdir(file); // a directory where the file should be: EISDIR
      const err = await new FileKeyStore(file).get('1').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(KeyStoreError);
      expect((err as Error).message).toBe(`key store ${file}: cannot read (EISDIR)`);
    });
  });
});

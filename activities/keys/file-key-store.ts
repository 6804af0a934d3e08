import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { LockTimeoutError, withFileLock } from './file-lock';
import type { StoredTerminal, TerminalKeyStore } from './key-store';

interface KeyFile {
  version: 1;
  terminals: Record<string, StoredTerminal>;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What load() accepts as an entry, and so all a write may store: stored under its own sn, with a key. */
const isEntryFor = (sn: string, entry: unknown): boolean =>
  isRecord(entry) && entry.terminalSn === sn && sn !== '' && typeof entry.currentKey === 'string';

/** The file names its problem without echoing any content (it holds keys). */
export class KeyStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyStoreError';
  }
}

/**
 * Keys in one JSON file, mode 0600, replaced atomically (write a temporary file in the same
 * directory, fsync, rename), read again on every lookup so a key written by a check-in is used at
 * once. Writes are serialised within this process and, by a lock file next to it (`<file>.lock`),
 * across the processes sharing it; one file serves one host (several hosts need a shared store,
 * see docs/production.md).
 */
export class FileKeyStore implements TerminalKeyStore {
  private writes: Promise<unknown> = Promise.resolve();

  constructor(readonly file: string) {}

  async get(terminalSn: string): Promise<StoredTerminal | undefined> {
    return (await this.load()).terminals[terminalSn];
  }

  async terminalSns(): Promise<string[]> {
    return Object.keys((await this.load()).terminals);
  }

  async put(terminal: StoredTerminal): Promise<void> {
    await this.serialised(async () => {
      const content = await this.load();
      this.checkWrite(terminal.terminalSn, terminal);
      content.terminals[terminal.terminalSn] = terminal;
      await this.replace(content);
    });
  }

  update(terminalSn: string, change: (t: StoredTerminal) => StoredTerminal): Promise<StoredTerminal | undefined> {
    return this.serialised(async () => {
      const content = await this.load();
      const current = content.terminals[terminalSn];
      if (!current) return undefined;
      const next = change({ ...current });
      this.checkWrite(terminalSn, next);
      content.terminals[terminalSn] = next;
      await this.replace(content);
      return next;
    });
  }

  /** Never write an entry that load() would refuse: one bad entry would make every terminal unreadable. */
  private checkWrite(terminalSn: string, entry: StoredTerminal): void {
    if (!isEntryFor(terminalSn, entry)) {
      throw new KeyStoreError(
        `key store ${this.file}: terminal ${terminalSn} needs its own terminalSn and a currentKey`,
      );
    }
  }

  /** Runs one read-modify-write after every earlier one of this process, under the cross-process lock. */
  private serialised<T>(step: () => Promise<T>): Promise<T> {
    const locked = async () => {
      await mkdir(path.dirname(this.file), { recursive: true });
      return withFileLock(`${this.file}.lock`, step).catch((err: unknown) => {
        throw err instanceof LockTimeoutError ? new KeyStoreError(`key store ${this.file}: ${err.message}`) : err;
      });
    };
    const run = this.writes.then(locked);
    this.writes = run.catch(() => undefined);
    return run;
  }

  private async load(): Promise<KeyFile> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, terminals: {} };
      throw new KeyStoreError(`key store ${this.file}: cannot read (${(err as NodeJS.ErrnoException).code})`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new KeyStoreError(`key store ${this.file}: not valid JSON`);
    }
    const file = parsed as Partial<KeyFile> | null;
    // An array would pass typeof 'object', and JSON.stringify drops a non-index key set on it: a put would be lost.
    if (file?.version !== 1 || !isRecord(file.terminals)) {
      throw new KeyStoreError(`key store ${this.file}: expected {"version":1,"terminals":{…}}`);
    }
    // Named by position, not by name: a hand-edited file may hold a key where an sn belongs.
    Object.entries(file.terminals).forEach(([sn, entry], i) => {
      if (!isEntryFor(sn, entry)) {
        throw new KeyStoreError(
          `key store ${this.file}: terminal entry #${i + 1} needs a terminalSn equal to its name and a currentKey`,
        );
      }
    });
    return file as KeyFile;
  }

  private async replace(content: KeyFile): Promise<void> {
    // Serialise before creating the temp file: content that cannot be written leaves nothing behind.
    const text = `${JSON.stringify(content, null, 2)}\n`;
    await mkdir(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await open(temp, 'wx', 0o600);
    try {
      try {
        await handle.writeFile(text);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, this.file);
    } catch (err) {
      // A failed write, fsync or rename removes the temp file: it may hold keys.
      await rm(temp, { force: true });
      throw err;
    }
  }
}

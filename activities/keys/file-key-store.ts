import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { StoredTerminal, TerminalKeyStore } from './key-store';

interface KeyFile {
  version: 1;
  terminals: Record<string, StoredTerminal>;
}

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
 * once. Writes from this process are serialised; one file serves one host (several hosts need a
 * shared store, see docs/production.md).
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
      content.terminals[terminalSn] = next;
      await this.replace(content);
      return next;
    });
  }

  /** Runs one read-modify-write after every earlier one of this process has finished. */
  private serialised<T>(step: () => Promise<T>): Promise<T> {
    const run = this.writes.then(step);
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
    if (file?.version !== 1 || typeof file.terminals !== 'object' || file.terminals === null) {
      throw new KeyStoreError(`key store ${this.file}: expected {"version":1,"terminals":{…}}`);
    }
    return file as KeyFile;
  }

  private async replace(content: KeyFile): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await open(temp, 'wx', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(content, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, this.file);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  }
}

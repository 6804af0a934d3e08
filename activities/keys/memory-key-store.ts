import type { StoredTerminal, TerminalKeyStore } from './key-store';

/** Keys held in this process only: for static keys from the environment and for tests. Lost at exit. */
export class MemoryKeyStore implements TerminalKeyStore {
  private readonly terminals = new Map<string, StoredTerminal>();

  constructor(initial: readonly StoredTerminal[] = []) {
    for (const t of initial) this.terminals.set(t.terminalSn, { ...t });
  }

  get(terminalSn: string): Promise<StoredTerminal | undefined> {
    const t = this.terminals.get(terminalSn);
    return Promise.resolve(t && { ...t });
  }

  put(terminal: StoredTerminal): Promise<void> {
    this.terminals.set(terminal.terminalSn, { ...terminal });
    return Promise.resolve();
  }

  update(terminalSn: string, change: (t: StoredTerminal) => StoredTerminal): Promise<StoredTerminal | undefined> {
    const t = this.terminals.get(terminalSn);
    if (!t) return Promise.resolve(undefined);
    const next = change({ ...t });
    this.terminals.set(terminalSn, next);
    return Promise.resolve({ ...next });
  }

  /** Forgets a terminal (tests; a file store is edited by hand). */
  remove(terminalSn: string): void {
    this.terminals.delete(terminalSn);
  }

  terminalSns(): Promise<string[]> {
    return Promise.resolve([...this.terminals.keys()]);
  }
}

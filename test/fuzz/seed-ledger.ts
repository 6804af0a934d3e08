import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const FILE = path.join(__dirname, 'seed-ledger.json');

export interface LedgerEntry {
  seed: number;
  found: string;
  violations: string[];
  /** What fixed it, added by hand. */
  fix?: string;
}

interface LedgerFile {
  about: string;
  seeds: LedgerEntry[];
}

function read(): LedgerFile {
  return JSON.parse(readFileSync(FILE, 'utf8')) as LedgerFile;
}

/** Every seed that ever failed: replayed first in every fuzz run. */
export function ledgerSeeds(): number[] {
  return read().seeds.map((e) => e.seed);
}

/** Keeps new failing seeds forever (the file is committed). */
export function recordFailingSeeds(entries: LedgerEntry[]): void {
  const ledger = read();
  const known = new Set(ledger.seeds.map((e) => e.seed));
  const fresh = entries.filter((e) => !known.has(e.seed));
  if (fresh.length === 0) return;
  ledger.seeds.push(...fresh);
  writeFileSync(FILE, `${JSON.stringify(ledger, null, 2)}\n`);
}

import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ScheduleRef } from './run-schedule';
import type { GeneratorVersion } from './schedule';

const FILE = path.join(__dirname, 'seed-ledger.json');

export interface LedgerEntry {
  seed: number;
  /** The generator that drew it (schedule.ts); absent = 1, the entries from before generator versions. */
  generator?: GeneratorVersion;
  found: string;
  violations: string[];
  /** What fixed it, or what the finding is and who has it, added by hand. */
  fix?: string;
}

interface LedgerFile {
  about: string;
  seeds: LedgerEntry[];
}

function read(): LedgerFile {
  return JSON.parse(readFileSync(FILE, 'utf8')) as LedgerFile;
}

const refOf = (e: Pick<LedgerEntry, 'seed' | 'generator'>): ScheduleRef => ({
  seed: e.seed,
  generator: e.generator ?? 1,
});
const same = (a: ScheduleRef, b: ScheduleRef) => a.seed === b.seed && a.generator === b.generator;

/** Every schedule that ever failed: replayed first in every fuzz run. */
export function ledgerSchedules(): ScheduleRef[] {
  return read().seeds.map(refOf);
}

/** Keeps new failing schedules forever (the file is committed). */
export function recordFailingSeeds(entries: LedgerEntry[]): void {
  const ledger = read();
  const known = ledger.seeds.map(refOf);
  const fresh = entries.filter((e) => !known.some((k) => same(k, refOf(e))));
  if (fresh.length === 0) return;
  ledger.seeds.push(...fresh);
  writeFileSync(FILE, `${JSON.stringify(ledger, null, 2)}\n`);
}

/** The schedules to run: the ledger's first, then `more`, each once. */
export function withLedger(more: ScheduleRef[]): ScheduleRef[] {
  const all: ScheduleRef[] = [];
  for (const ref of [...ledgerSchedules(), ...more]) if (!all.some((r) => same(r, ref))) all.push(ref);
  return all;
}

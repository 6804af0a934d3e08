import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

export const HISTORIES_DIR = path.resolve(__dirname, '../histories');

export interface CorpusFile {
  /** Path under test/histories/, e.g. `happy.json` or `legacy/<patch>/revoke-by-signal.json`. */
  name: string;
  history: { events: unknown[] };
}

/** Every recorded history, the Web UI downloads and the legacy (pre-patch) recordings included. */
export function loadCorpus(dir = HISTORIES_DIR): CorpusFile[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((name) => ({ name, history: JSON.parse(readFileSync(path.join(dir, name), 'utf8')) }));
}

/**
 * The text of every payload in a history, decoded from base64: what the data converter wrote
 * (inputs, activity arguments and results, signals, updates, search attributes).
 */
export function decodedPayloads(value: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (v === null || typeof v !== 'object') return;
    const obj = v as Record<string, unknown>;
    if (typeof obj.data === 'string' && typeof obj.metadata === 'object') {
      out.push(Buffer.from(obj.data, 'base64').toString('utf8'));
    }
    Object.values(obj).forEach(walk);
  };
  walk(value);
  return out;
}

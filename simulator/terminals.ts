import { readFileSync } from 'node:fs';

export interface TerminalCredentials {
  terminalSn: string;
  terminalKey: string;
}

/** Built-in terminal used by `npm run simulator` when none is configured. Not a secret: demo only. */
export const DEMO_TERMINAL: Readonly<TerminalCredentials> = {
  terminalSn: '100000000000000001',
  terminalKey: '0123456789abcdef0123456789abcdef',
};

export interface LoadedTerminals {
  terminals: TerminalCredentials[];
  usedDemo: boolean;
}

/**
 * Terminals for the CLI: `SQB_TERMINAL_SN` + `SQB_TERMINAL_KEY` and/or `SQB_TERMINALS_FILE`
 * (JSON `[{"terminal_sn":"…","terminal_key":"…"}]`); the demo terminal when neither is set.
 */
export function loadTerminals(env: NodeJS.ProcessEnv = process.env): LoadedTerminals {
  const terminals: TerminalCredentials[] = [];
  const sn = env.SQB_TERMINAL_SN;
  const key = env.SQB_TERMINAL_KEY;
  if (sn || key) {
    if (!sn || !key) throw new Error('set both SQB_TERMINAL_SN and SQB_TERMINAL_KEY, or neither');
    terminals.push({ terminalSn: sn, terminalKey: key });
  }
  if (env.SQB_TERMINALS_FILE) terminals.push(...readTerminalsFile(env.SQB_TERMINALS_FILE));
  if (terminals.length === 0) return { terminals: [{ ...DEMO_TERMINAL }], usedDemo: true };
  return { terminals, usedDemo: false };
}

function readTerminalsFile(path: string): TerminalCredentials[] {
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!Array.isArray(parsed)) throw new Error(`${path}: expected a JSON array of {terminal_sn, terminal_key}`);
  return parsed.map((entry: unknown, i) => {
    const e = entry as Record<string, unknown> | null;
    const terminalSn = e?.terminal_sn;
    const terminalKey = e?.terminal_key;
    if (typeof terminalSn !== 'string' || typeof terminalKey !== 'string' || !terminalSn || !terminalKey) {
      // Name the entry, never echo its key.
      throw new Error(`${path}: entry ${i} needs string terminal_sn and terminal_key`);
    }
    return { terminalSn, terminalKey };
  });
}

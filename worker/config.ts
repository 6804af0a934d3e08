import { readFileSync } from 'node:fs';
import { payloadEncryptionProblems } from '../codec/encryption-codec';
import { TASK_QUEUE } from '../workflows/types';

/** One terminal this worker may sign for. The key never leaves the worker process. */
export interface TerminalCredentials {
  terminalSn: string;
  terminalKey: string;
  /** The device_id the terminal was activated with; needed for its daily check-in. */
  deviceId?: string;
}

/** Worker settings from the environment, validated once at start. */
export interface WorkerConfig {
  /** `SQB_API_DOMAIN`: the gateway origin, e.g. https://vsi-api.shouqianba.com. Required. */
  apiDomain: string;
  /** `SQB_TERMINAL_SN` + `SQB_TERMINAL_KEY`, and/or `SQB_TERMINALS_FILE` (JSON `[{terminal_sn, terminal_key}]`). */
  terminals: TerminalCredentials[];
  /** `TEMPORAL_TASK_QUEUE`, default `upay-payments`. */
  taskQueue: string;
  /**
   * `SQB_KEY_STORE_FILE`: where rotated keys live (activities/keys/file-key-store.ts). Set, the
   * worker checks its terminals in daily; unset, keys are static and expire at the real gateway.
   */
  keyStoreFile?: string;
}

/** The SQB_* variables the worker reads. */
export const WORKER_SQB_VARIABLES = [
  'SQB_API_DOMAIN',
  'SQB_TERMINAL_SN',
  'SQB_TERMINAL_KEY',
  'SQB_TERMINALS_FILE',
  'SQB_DEVICE_ID',
  'SQB_KEY_STORE_FILE',
] as const;

/** Read by `npm run client -- activate` only: the vendor key never needs to reach a worker. */
export const ACTIVATION_SQB_VARIABLES = ['SQB_VENDOR_SN', 'SQB_VENDOR_KEY', 'SQB_APP_ID'] as const;

/** Every SQB_* variable the project reads; any other SQB_* is most likely a typo. */
export const KNOWN_SQB_VARIABLES = [...WORKER_SQB_VARIABLES, ...ACTIVATION_SQB_VARIABLES] as const;

/** Thrown with every configuration problem at once; the message never contains a key. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function checkTerminal(
  sn: unknown,
  key: unknown,
  deviceId: unknown,
  where: string,
  problems: string[],
): TerminalCredentials | undefined {
  const before = problems.length;
  if (typeof sn !== 'string' || !/^[\x21-\x7E]{1,32}$/.test(sn))
    problems.push(`${where}: terminal_sn must be 1-32 printable ASCII characters`);
  if (typeof key !== 'string' || key.length < 8 || /\s/.test(key))
    problems.push(`${where}: terminal key must be at least 8 characters without spaces`);
  if (deviceId !== undefined && (typeof deviceId !== 'string' || !/^[\x21-\x7E]{1,128}$/.test(deviceId)))
    problems.push(`${where}: device_id must be 1-128 printable ASCII characters`);
  if (problems.length > before) return undefined;
  return {
    terminalSn: sn as string,
    terminalKey: key as string,
    ...(deviceId !== undefined ? { deviceId: deviceId as string } : {}),
  };
}

function readTerminalsFile(path: string, problems: string[]): TerminalCredentials[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    problems.push(
      `SQB_TERMINALS_FILE ${path}: cannot read JSON (${(err as NodeJS.ErrnoException).code ?? 'parse error'})`,
    );
    return [];
  }
  if (!Array.isArray(parsed) || parsed.length === 0) {
    problems.push(`SQB_TERMINALS_FILE ${path}: must be a non-empty JSON array of {"terminal_sn","terminal_key"}`);
    return [];
  }
  return parsed.flatMap((entry: unknown, i) => {
    const e = (entry ?? {}) as Record<string, unknown>;
    const terminal = checkTerminal(e.terminal_sn, e.terminal_key, e.device_id, `SQB_TERMINALS_FILE[${i}]`, problems);
    return terminal ? [terminal] : [];
  });
}

function checkApiDomain(value: string | undefined, problems: string[]): string {
  if (!value) {
    problems.push('SQB_API_DOMAIN is required (e.g. https://vsi-api.shouqianba.com, or the simulator URL)');
    return '';
  }
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('protocol');
    if (url.pathname !== '/' || url.search)
      problems.push('SQB_API_DOMAIN must be an origin without a path, e.g. https://vsi-api.shouqianba.com');
    return url.origin;
  } catch {
    problems.push(`SQB_API_DOMAIN is not an http(s) URL: ${value}`);
    return '';
  }
}

/** Reads and checks the worker's settings; throws one ConfigError listing every problem. */
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const problems: string[] = [];
  for (const name of Object.keys(env).filter((n) => n.startsWith('SQB_'))) {
    if (!(KNOWN_SQB_VARIABLES as readonly string[]).includes(name))
      problems.push(`${name} is not a known setting (known: ${KNOWN_SQB_VARIABLES.join(', ')})`);
  }
  const apiDomain = checkApiDomain(env.SQB_API_DOMAIN, problems);
  const terminals: TerminalCredentials[] = [];
  if (env.SQB_TERMINAL_SN || env.SQB_TERMINAL_KEY) {
    if (!env.SQB_TERMINAL_SN) problems.push('SQB_TERMINAL_KEY is set but SQB_TERMINAL_SN is missing');
    else if (!env.SQB_TERMINAL_KEY) problems.push('SQB_TERMINAL_SN is set but SQB_TERMINAL_KEY is missing');
    else {
      const terminal = checkTerminal(
        env.SQB_TERMINAL_SN,
        env.SQB_TERMINAL_KEY,
        env.SQB_DEVICE_ID || undefined,
        'SQB_TERMINAL_SN/SQB_TERMINAL_KEY',
        problems,
      );
      if (terminal) terminals.push(terminal);
    }
  }
  if (env.SQB_TERMINALS_FILE) terminals.push(...readTerminalsFile(env.SQB_TERMINALS_FILE, problems));
  const keyStoreFile = env.SQB_KEY_STORE_FILE || undefined;
  // With a key store, terminals may come from it alone (activated with `npm run client -- activate`).
  if (terminals.length === 0 && !keyStoreFile && !problems.some((p) => p.includes('SQB_TERMINAL'))) {
    problems.push(
      'no terminal configured: set SQB_TERMINAL_SN and SQB_TERMINAL_KEY, SQB_TERMINALS_FILE, or SQB_KEY_STORE_FILE',
    );
  }
  const taskQueue = env.TEMPORAL_TASK_QUEUE ?? TASK_QUEUE;
  if (!/^[\x21-\x7E]{1,200}$/.test(taskQueue))
    problems.push('TEMPORAL_TASK_QUEUE must be 1-200 printable ASCII characters');
  problems.push(...payloadEncryptionProblems(env)); // before connecting: no key never means plaintext by accident
  if (problems.length > 0) throw new ConfigError(problems);
  return { apiDomain, terminals, taskQueue, ...(keyStoreFile ? { keyStoreFile } : {}) };
}

import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';

/** How to start one long-running part again (crashService restarts a service from this). */
export interface ServiceSpec {
  command: string;
  args: string[];
  cwd: string;
  log: string;
  env?: Record<string, string>;
}

/**
 * Starts a process in its own session and process group (so Ctrl-C in the terminal does not reach it and
 * `down` can kill the group), output appended to its log. It outlives this process; returns its pid.
 */
export function spawnDetached(spec: ServiceSpec): number {
  const out = openSync(spec.log, 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...process.env, ...spec.env },
    });
    if (child.pid === undefined) throw new Error(`could not start ${spec.command}`);
    child.unref();
    return child.pid;
  } finally {
    closeSync(out);
  }
}

/** True while the process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return existsSync(`/proc/${pid}`);
  }
}

/**
 * True while the process is alive and its command line names `marker` (the cluster's data folder): a pid
 * from an old state file (after a reboot, say) may belong to another program by now, which must not be killed.
 */
export function runsWith(pid: number | undefined, marker: string): boolean {
  if (pid === undefined || !isAlive(pid)) return false;
  try {
    const cmdline = `${readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ')} `;
    return cmdline.includes(`${marker}/`) || cmdline.includes(`${marker} `);
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until the process is gone; false if it is still there after `timeoutMs`. */
export async function waitGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** SIGTERM to the process group, then SIGKILL after `graceMs`; resolves when the leader is gone. */
export async function stopGroup(pid: number, graceMs = 15_000): Promise<void> {
  if (!isAlive(pid)) return;
  signalGroup(pid, 'SIGTERM');
  if (await waitGone(pid, graceMs)) return;
  signalGroup(pid, 'SIGKILL');
  if (!(await waitGone(pid, 10_000))) throw new Error(`process ${pid} survived SIGKILL`);
}

/** kill -9 of the whole process group, and wait until it is gone. */
export async function killGroup(pid: number): Promise<void> {
  signalGroup(pid, 'SIGKILL');
  if (!(await waitGone(pid, 10_000))) throw new Error(`process ${pid} survived SIGKILL`);
}

/** The last lines of a log, for an error message. */
export function tailLog(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

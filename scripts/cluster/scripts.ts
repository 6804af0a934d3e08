import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../toolchain/paths';
import { tailLog } from './processes';

/** The compose stack's one-shot jobs, run here by the cluster script too. */
export const SETUP_POSTGRES_SCRIPT = path.join(REPO_ROOT, 'deploy', 'temporal', 'setup-postgres.sh');
export const CREATE_NAMESPACE_SCRIPT = path.join(REPO_ROOT, 'deploy', 'temporal', 'create-namespace.sh');

/**
 * Runs a deploy/ shell script with `env` added (PATH gets `pathDirs` first), output appended to `log`.
 * Rejects with the log's last lines when it fails or `signal` aborts it.
 */
export function runScript(
  script: string,
  env: Record<string, string>,
  pathDirs: string[],
  log: string,
  signal?: AbortSignal,
): Promise<void> {
  const out = openSync(log, 'a');
  return new Promise<void>((resolve, reject) => {
    const child = spawn('sh', [script], {
      env: { ...process.env, ...env, PATH: [...pathDirs, process.env.PATH ?? ''].join(path.delimiter) },
      stdio: ['ignore', out, out],
      signal,
    });
    child.once('error', (err) => reject(err));
    child.once('exit', (code, sig) => {
      if (code === 0) resolve();
      else
        reject(
          new Error(
            `${path.relative(REPO_ROOT, script)} failed (${sig ?? `exit ${code}`}); the end of ${log}:\n${tailLog(log)}`,
          ),
        );
    });
  }).finally(() => closeSync(out));
}
